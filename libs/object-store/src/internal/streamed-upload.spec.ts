import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ObjectTooLargeError, SizeMismatchError } from '../object-store.errors.js';
import type { UploadedPart } from '../object-store.port.js';
import { isBodyError, MAX_PARTS, partSizeFor, streamedUpload, type UploadTarget } from './streamed-upload.js';

/** Records what an upload asks of the store (the part logic, without any server). */
class Recorder implements UploadTarget {
  single: Buffer | undefined;
  parts = new Map<number, Buffer>();
  completed: UploadedPart[] | undefined;
  aborted = false;
  inFlight = 0;
  maxInFlight = 0;
  failPart: number | undefined;
  slow = true;

  putSingle(body: Buffer) {
    this.single = body;
    return Promise.resolve('single-etag');
  }
  createMultipart() {
    return Promise.resolve('upload-1');
  }
  async uploadPart(_id: string, n: number, body: Buffer) {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) =>
      this.slow ? setTimeout(resolve, 5 + (n % 3) * 5) : setImmediate(resolve),
    );
    this.inFlight -= 1;
    if (n === this.failPart) throw new Error(`part ${n} failed`);
    this.parts.set(n, body);
    return `etag-${n}`;
  }
  complete(_id: string, parts: UploadedPart[]) {
    this.completed = parts;
    return Promise.resolve('multi-etag');
  }
  abort() {
    this.aborted = true;
    return Promise.resolve();
  }
}

const plan = { bucket: 'b', key: 'k', size: undefined, partSize: 100, concurrency: 3 };
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i % 256));

describe('streamedUpload', () => {
  it('sends a body that fits in one part as a single PUT', async () => {
    const r = new Recorder();
    expect(await streamedUpload(r, bytes(100), plan)).toEqual({ etag: 'single-etag', size: 100 });
    expect(r.single?.length).toBe(100);
    expect(r.completed).toBeUndefined();
  });

  it('sends a larger stream as parts, at most `concurrency` at once, completed in order', async () => {
    const r = new Recorder();
    const data = bytes(1_050);
    const result = await streamedUpload(r, Readable.from([data.subarray(0, 333), data.subarray(333)]), plan);
    expect(result).toEqual({ etag: 'multi-etag', size: 1_050 });
    expect(r.completed?.map((p) => p.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(
      Buffer.concat([...r.parts.entries()].sort(([a], [b]) => a - b).map(([, b]) => b)).equals(data),
    ).toBe(true);
    expect(r.maxInFlight).toBeLessThanOrEqual(3);
    expect(r.maxInFlight).toBeGreaterThan(1);
  });

  it('aborts and stores nothing when a part fails', async () => {
    const r = new Recorder();
    r.failPart = 4;
    await expect(streamedUpload(r, Readable.from([bytes(1_000)]), plan)).rejects.toThrow('part 4 failed');
    expect(r.aborted).toBe(true);
    expect(r.completed).toBeUndefined();
  });

  it('aborts when the body is shorter or longer than announced', async () => {
    const short = new Recorder();
    await expect(
      streamedUpload(short, Readable.from([bytes(450)]), { ...plan, size: 500 }),
    ).rejects.toBeInstanceOf(SizeMismatchError);
    expect(short.aborted).toBe(true);
    const long = new Recorder();
    await expect(
      streamedUpload(long, Readable.from([bytes(450)]), { ...plan, size: 250 }),
    ).rejects.toBeInstanceOf(SizeMismatchError);
    expect(long.completed).toBeUndefined();
    const single = new Recorder();
    await expect(streamedUpload(single, bytes(50), { ...plan, size: 60 })).rejects.toBeInstanceOf(
      SizeMismatchError,
    );
    expect(single.single).toBeUndefined();
  });

  it('passes the body’s own error through, marked as such', async () => {
    const r = new Recorder();
    function* failing() {
      yield bytes(250);
      throw new Error('disk read failed');
    }
    const attempt = streamedUpload(r, Readable.from(failing()), plan);
    await expect(attempt).rejects.toThrow('disk read failed');
    expect(isBodyError(await attempt.catch((e: unknown) => e))).toBe(true);
    expect(r.aborted).toBe(true);
  });

  it('refuses more than 10,000 parts of unknown size', async () => {
    const r = new Recorder();
    r.slow = false;
    function* endless() {
      for (;;) yield bytes(1);
    }
    await expect(
      streamedUpload(r, Readable.from(endless()), { ...plan, partSize: 1, concurrency: 64 }),
    ).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(r.aborted).toBe(true);
    expect(r.parts.size).toBe(MAX_PARTS);
  });

  it('grows the part size when a known size needs more than 10,000 parts', () => {
    expect(partSizeFor(undefined, 16 << 20)).toBe(16 << 20);
    expect(partSizeFor(100 << 20, 5 << 20)).toBe(5 << 20);
    const big = 200 * 1024 ** 3;
    expect(partSizeFor(big, 5 << 20) * MAX_PARTS).toBeGreaterThanOrEqual(big);
  });
});
