import type { IncomingMessage } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import { InvalidInputError } from './invalid-input.error.js';
import { problemFor } from './problem.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

function tooLarge(limit: number): HttpException {
  return new HttpException(
    problemFor(HttpStatus.PAYLOAD_TOO_LARGE, { detail: `the body may be at most ${limit} bytes` }),
    HttpStatus.PAYLOAD_TOO_LARGE,
  );
}

/**
 * Reads a JSON request body of at most `limit` bytes: undefined when there is none, a 413
 * past the limit (without reading the rest), 415 for anything but uncompressed UTF-8 JSON,
 * and a 400 naming `body` when it is not valid UTF-8 or not JSON.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = req.headers['content-length'];
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== '0');
  if (!hasBody) return undefined;
  const type = req.headers['content-type'] ?? '';
  const encoding = req.headers['content-encoding'] ?? 'identity';
  if (!JSON_TYPE.test(type) || encoding.toLowerCase() !== 'identity') {
    throw new HttpException(
      problemFor(HttpStatus.UNSUPPORTED_MEDIA_TYPE, {
        detail: 'the body must be uncompressed application/json in UTF-8',
      }),
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw InvalidInputError.of('body', 'body', 'is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw InvalidInputError.of('body', 'body', `is not valid JSON (${(err as Error).message})`);
  }
}
