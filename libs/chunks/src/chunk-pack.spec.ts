import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './chunk-id.js';
import { ChunkPackError, decodeChunkPack, encodeChunkPackHeader } from './chunk-pack.js';

const records = [Buffer.alloc(10, 1), Buffer.alloc(3000, 2), Buffer.alloc(1, 3)].map((stored, i) => ({
  sha256: sha256Hex(Buffer.from([i])),
  stored,
}));
const wire = Buffer.concat(
  records.flatMap((r) => [encodeChunkPackHeader(r.sha256, r.stored.length), r.stored]),
);
const expected = records.map((r) => r.sha256);

async function decode(bytes: Buffer, pieceSize: number, ids = expected, max = 1 << 20) {
  const pieces = Array.from({ length: Math.ceil(bytes.length / pieceSize) }, (_, i) =>
    bytes.subarray(i * pieceSize, (i + 1) * pieceSize),
  );
  const out = [];
  for await (const record of decodeChunkPack(Readable.from(pieces), { expected: ids, maxStoredLength: max }))
    out.push(record);
  return out;
}

describe('chunk pack', () => {
  it('yields every record whatever the stream is cut into', async () => {
    for (const size of [1, 7, 36, 4096]) expect(await decode(wire, size)).toEqual(records);
  });

  it('stops after the last whole record of a truncated stream', async () => {
    const cut = wire.length - 1;
    expect((await decode(wire.subarray(0, cut), 5)).map((r) => r.sha256)).toEqual(expected.slice(0, 2));
    expect(await decode(wire.subarray(0, 20), 5)).toEqual([]);
  });

  it('refuses a record not asked for, out of order, or too long', async () => {
    const swapped = [expected[1]!, expected[0]!, expected[2]!];
    await expect(decode(wire, 64, swapped)).rejects.toMatchObject({ reason: 'unexpected-chunk' });
    await expect(decode(wire, 64, expected.slice(0, 2))).rejects.toBeInstanceOf(ChunkPackError);
    await expect(decode(wire, 64, expected, 100)).rejects.toMatchObject({ reason: 'too-long' });
  });
});
