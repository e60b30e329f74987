/**
 * Re-cuts a stream of chunks of any size into parts of exactly `partSize` bytes (the last one
 * shorter). An empty source yields one empty part, so an empty object is still one PUT.
 */
export async function* cutIntoParts(
  source: AsyncIterable<unknown> | Iterable<unknown>,
  partSize: number,
): AsyncGenerator<Buffer> {
  if (!Number.isInteger(partSize) || partSize < 1)
    throw new RangeError(`partSize must be a positive integer, got ${partSize}`);
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let yielded = false;
  for await (const chunk of source) {
    let buf = toBuffer(chunk);
    while (buf.length > 0) {
      const need = partSize - pendingLength;
      if (buf.length < need) {
        pending.push(buf);
        pendingLength += buf.length;
        break;
      }
      pending.push(buf.subarray(0, need));
      yield Buffer.concat(pending, partSize);
      yielded = true;
      pending = [];
      pendingLength = 0;
      buf = buf.subarray(need);
    }
  }
  if (pendingLength > 0 || !yielded) yield Buffer.concat(pending, pendingLength);
}

export function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new TypeError(`object bodies are bytes; got a chunk of type ${typeof chunk}`);
}
