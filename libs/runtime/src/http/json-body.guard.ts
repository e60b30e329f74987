import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { BODY_LIMIT } from './body-limit.decorator.js';
import { checkBodyStrings } from './body-strings.check.js';
import { InvalidInputError } from './invalid-input.error.js';
import { readJsonBody } from './json-body.reader.js';

/**
 * Parses the JSON body once the route is known, so each route gets its own size limit
 * (`@BodyLimit`), and refuses unsafe characters anywhere in it. Nest's own body parser is off.
 */
export class JsonBodyGuard implements CanActivate {
  constructor(private readonly defaultLimitBytes: number) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<IncomingMessage & { body?: unknown }>();
    const declared: unknown = Reflect.getMetadata(BODY_LIMIT, context.getHandler());
    const limit = typeof declared === 'number' ? declared : this.defaultLimitBytes;
    try {
      req.body = await readJsonBody(req, limit);
    } catch (err) {
      // Answer at once without reading the rest; the connection is not reused after it.
      if (err instanceof HttpException && err.getStatus() === 413) {
        http.getResponse<ServerResponse>().setHeader('connection', 'close');
        req.resume();
      }
      throw err;
    }
    const issues = checkBodyStrings(req.body);
    if (issues.length > 0) throw new InvalidInputError(issues);
    return true;
  }
}
