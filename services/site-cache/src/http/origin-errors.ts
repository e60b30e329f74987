import { HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { problemTypes } from '@muster/runtime';
import { ChunkRefusedError } from '../chunks/chunk-verifier.js';
import { OriginNotFoundError, OriginRefusedError, OriginUnavailableError } from '../origin/origin-client.js';

/** What a caller is told when the cache could not read something through. */
export function answerFor(error: unknown): unknown {
  if (error instanceof OriginNotFoundError) {
    if (error.missing.length === 0) return new NotFoundException(error.message);
    // The chunk-pack contract's body, as a problem document.
    return new HttpException(
      {
        type: problemTypes.notFound,
        title: 'Not Found',
        status: 404,
        detail: `${error.missing.length} chunks are unknown to the origin`,
        error: 'unknown chunks',
        missing: error.missing,
      },
      404,
    );
  }
  if (error instanceof OriginUnavailableError)
    return new ServiceUnavailableException(`not held here and the origin is unavailable: ${error.message}`);
  if (error instanceof ChunkRefusedError || error instanceof OriginRefusedError)
    return new HttpException(
      { type: 'about:blank', title: 'Bad Gateway', status: 502, detail: error.message },
      502,
    );
  return error;
}
