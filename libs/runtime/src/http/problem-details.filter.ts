import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { problemFor, sendProblem, type ProblemDetails } from './problem.js';

/** Members of Nest's default error body, and the problem's own, that an error body cannot set. */
const REPLACED_MEMBERS = new Set(['message', 'error', 'statusCode', 'type', 'title', 'status', 'detail']);

/**
 * Every error an HTTP route raises leaves as `application/problem+json` (RFC 9457) with a
 * stable `type`. An error that is not an HttpException is a 500 whose cause is logged, never
 * sent: the caller learns nothing about the internals.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Parameters<typeof sendProblem>[0]>();
    const problem = this.toProblem(exception);
    if (problem.status >= 500 && !(exception instanceof HttpException)) {
      const req = http.getRequest<{ method?: string; url?: string }>();
      this.logger.error(
        `${req.method} ${req.url} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    sendProblem(res, problem);
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof HttpException) return fromHttpException(exception);
    // Errors from Express and body parsers (http-errors) carry a status and say whether their
    // message is safe to show.
    const status = statusOf(exception);
    if (status !== undefined && status < 500) {
      return problemFor(status, { detail: (exception as Error).message });
    }
    return problemFor(500);
  }
}

function fromHttpException(exception: HttpException): ProblemDetails {
  const status = exception.getStatus();
  const body = exception.getResponse();
  if (typeof body === 'string') return problemFor(status, { detail: body });
  const record = body as Record<string, unknown>;
  if (typeof record['type'] === 'string' && record['status'] === status) return record as ProblemDetails;
  const message = record['message'];
  const detail = Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : undefined;
  const extensions = Object.fromEntries(Object.entries(record).filter(([key]) => !REPLACED_MEMBERS.has(key)));
  return problemFor(status, { ...extensions, ...(detail === undefined ? {} : { detail }) });
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode, expose } = error as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
  };
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  return code !== undefined && code >= 400 && code <= 599 && expose === true ? code : undefined;
}
