import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cutIntoParts } from './part-chunker.js';

async function collect(chunks: (Buffer | Uint8Array | string)[], partSize: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const part of cutIntoParts(Readable.from(chunks, { objectMode: true }), partSize))
    out.push(part);
  return out;
}

describe('cutIntoParts', () => {
  it('cuts parts of exactly partSize, the last one shorter, keeping every byte in order', async () => {
    const data = Buffer.from(Array.from({ length: 2_500 }, (_, i) => i % 251));
    const chunks = [
      data.subarray(0, 7),
      data.subarray(7, 1_500),
      data.subarray(1_500, 1_501),
      data.subarray(1_501),
    ];
    const parts = await collect(chunks, 1_000);
    expect(parts.map((p) => p.length)).toEqual([1_000, 1_000, 500]);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('splits one chunk larger than several parts', async () => {
    const parts = await collect([Buffer.alloc(3_000, 1)], 1_000);
    expect(parts.map((p) => p.length)).toEqual([1_000, 1_000, 1_000]);
  });

  it('yields one empty part for an empty source', async () => {
    const parts = await collect([], 10);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.length).toBe(0);
  });

  it('accepts Uint8Array and string chunks', async () => {
    const parts = await collect([new Uint8Array([1, 2, 3]), 'ab'], 4);
    expect(parts.map((p) => [...p])).toEqual([[1, 2, 3, 97], [98]]);
  });

  it('rejects non-byte chunks', async () => {
    await expect(collect([{ not: 'bytes' } as unknown as string], 4)).rejects.toThrow(TypeError);
  });
});
