import { Readable } from 'node:stream';
import { ObjectTooLargeError, SizeMismatchError } from '../object-store.errors.js';
import type { ObjectBody, UploadedPart } from '../object-store.port.js';
import { cutIntoParts, toBuffer } from './part-chunker.js';

export const MAX_PARTS = 10_000;
export const MIN_PART_SIZE = 5 * 1024 * 1024;

const bodyErrors = new WeakSet<object>();

/** True for an error the body itself raised (the caller's own error, passed through unchanged). */
export function isBodyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && bodyErrors.has(err);
}

/** The S3 calls an upload needs (so the part logic stays apart from the client). */
export interface UploadTarget {
  putSingle(body: Buffer): Promise<string>;
  createMultipart(): Promise<string>;
  uploadPart(uploadId: string, partNumber: number, body: Buffer): Promise<string>;
  complete(uploadId: string, parts: UploadedPart[]): Promise<string>;
  abort(uploadId: string): Promise<void>;
}

export interface UploadPlan {
  bucket: string;
  key: string;
  size: number | undefined;
  partSize: number;
  concurrency: number;
}

/** Part size for an object: the configured one, or larger when a known size needs more than 10,000 parts. */
export function partSizeFor(size: number | undefined, configured: number): number {
  if (size === undefined || size <= configured * MAX_PARTS) return configured;
  const mib = 1024 * 1024;
  return Math.ceil(size / MAX_PARTS / mib) * mib;
}

function source(body: ObjectBody): AsyncIterable<unknown> | Iterable<unknown> {
  return body instanceof Readable ? body : [toBuffer(body)];
}

/**
 * Uploads `body` while reading it: one PUT when it fits in one part, otherwise a multipart
 * upload with up to `concurrency` parts in flight. A size mismatch, a failing body or a failing
 * part aborts the multipart upload, so nothing is stored.
 */
export async function streamedUpload(
  target: UploadTarget,
  body: ObjectBody,
  plan: UploadPlan,
): Promise<{ etag: string; size: number }> {
  const mismatch = (actual: number) => new SizeMismatchError(plan.bucket, plan.key, plan.size ?? 0, actual);
  const partSize = partSizeFor(plan.size, plan.partSize);
  const cutter = cutIntoParts(source(body), partSize)[Symbol.asyncIterator]();
  const parts = {
    next: async () => {
      try {
        return await cutter.next();
      } catch (err) {
        if (typeof err === 'object' && err !== null) bodyErrors.add(err);
        throw err;
      }
    },
  };
  const destroyBody = () => {
    if (body instanceof Readable) body.destroy();
  };

  const first = await parts.next();
  const firstPart = first.done ? Buffer.alloc(0) : first.value;
  const second = first.done ? undefined : await parts.next();
  if (!second || second.done) {
    if (plan.size !== undefined && firstPart.length !== plan.size) throw mismatch(firstPart.length);
    return { etag: await target.putSingle(firstPart), size: firstPart.length };
  }

  if (plan.size !== undefined && plan.size <= partSize) {
    destroyBody();
    throw mismatch(firstPart.length + second.value.length);
  }
  const uploadId = await target.createMultipart();
  const done: UploadedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let total = 0;
  let partNumber = 0;
  const submit = async (part: Buffer) => {
    partNumber += 1;
    total += part.length;
    if (partNumber > MAX_PARTS) throw new ObjectTooLargeError(plan.bucket, plan.key, partSize * MAX_PARTS);
    if (plan.size !== undefined && total > plan.size) throw mismatch(total);
    const n = partNumber;
    const upload: Promise<void> = target.uploadPart(uploadId, n, part).then((etag) => {
      done.push({ partNumber: n, etag });
    });
    upload.catch(() => undefined);
    inFlight.add(upload);
    void upload.finally(() => inFlight.delete(upload)).catch(() => undefined);
    if (inFlight.size >= plan.concurrency) await Promise.race(inFlight);
  };
  try {
    await submit(firstPart);
    await submit(second.value);
    for (let next = await parts.next(); !next.done; next = await parts.next()) await submit(next.value);
    await Promise.all(inFlight);
    if (plan.size !== undefined && total !== plan.size) throw mismatch(total);
    done.sort((a, b) => a.partNumber - b.partNumber);
    return { etag: await target.complete(uploadId, done), size: total };
  } catch (err) {
    destroyBody();
    await Promise.allSettled(inFlight);
    await target.abort(uploadId).catch(() => undefined);
    throw err;
  }
}
