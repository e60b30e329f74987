// What Muster sends for v1 → v2, measured on the real path: artifact-store ingests both images
// as builds, a machine holding v1 (synced first, not counted) syncs v2 with v1 as seed through a
// counting proxy in front of the store. Also: the chunk bytes alone, and FastCDC on the bytes.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, zstdCompressSync } from 'node:zlib';
import { fastCdcBoundaries, type Manifest } from '@muster/chunks';
import { startCountingProxy, type ProxyCounts } from '../fanout/counting-proxy.js';
import { syncRelease } from './machine.js';
import { startOriginStack } from './origin-stack.js';

const zstd3 = (b: Uint8Array) =>
  zstdCompressSync(b, {
    params: { [constants.ZSTD_c_compressionLevel]: 3, [constants.ZSTD_c_contentSizeFlag]: 1 },
    chunkSize: b.length + 1024,
  }).length;
const id = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export interface DeltaBytes {
  bytes: number;
  chunks: number;
  chunking: string;
}

/** Stored bytes of the distinct chunks of `target` that `held` does not include. */
export function chunkDeltaBytes(held: Manifest, target: Manifest): DeltaBytes {
  const have = new Set(held.chunks.map((c) => c.sha256));
  let bytes = 0;
  let chunks = 0;
  for (const c of target.chunks) {
    if (have.has(c.sha256)) continue;
    have.add(c.sha256);
    bytes += c.storedLength;
    chunks++;
  }
  return { bytes, chunks, chunking: target.chunking };
}

export interface MusterDelta {
  /** Body bytes of the document, the manifest patch and the chunk packs: what muster_bytes is. */
  bytes: number;
  documentBytes: number;
  manifestPatchBytes: number;
  packBytes: number;
  /** The same pack bytes from the sync's own report: stored bytes + 36 per record. */
  packBytesReported: number;
  records: number;
  /** Everything the store sent on the wire for v2 (headers and chunked framing included). */
  wireBytes: number;
  chunk: DeltaBytes;
  reusedBytes: number;
  requests: number;
  ingestSeconds: number;
  syncSeconds: number;
  counts: ProxyCounts;
}

const RECORD_HEADER_BYTES = 36;
const FILE = 'root.squashfs';

export async function musterDelta(v1: string, v2: string, work: string): Promise<MusterDelta> {
  const origin = await startOriginStack(join(work, 'origin'));
  const proxy = await startCountingProxy(origin.url);
  try {
    const t0 = performance.now();
    const r1 = await origin.publish('bench', FILE, v1);
    const r2 = await origin.publish('bench', FILE, v2);
    const ingestSeconds = (performance.now() - t0) / 1000;
    const direct = [{ url: origin.url, name: 'origin' }];
    const trusted = origin.trusted;
    const a = await syncRelease({
      releaseId: r1,
      name: FILE,
      target: join(work, 'slot-a'),
      sources: direct,
      trusted,
    });

    proxy.reset();
    const t1 = performance.now();
    const b = await syncRelease({
      releaseId: r2,
      name: FILE,
      target: join(work, 'slot-b'),
      sources: [{ url: proxy.url, name: 'origin' }],
      trusted,
      current: a.held,
    });
    const syncSeconds = (performance.now() - t1) / 1000;
    const counts = proxy.counts();
    if (counts.answers.manifest > 0 || counts.answers['manifest-patch'] !== 1)
      throw new Error(`the manifest did not come as one patch: ${JSON.stringify(counts.answers)}`);
    const body = counts.bodyBytes;
    const records = b.report.chunks.fetched;
    return {
      bytes: body.document + body['manifest-patch'] + body['chunk-pack'],
      documentBytes: body.document,
      manifestPatchBytes: body['manifest-patch'],
      packBytes: body['chunk-pack'],
      packBytesReported: b.report.fetchedStoredBytes + RECORD_HEADER_BYTES * records,
      records,
      wireBytes: counts.wireBytes,
      chunk: chunkDeltaBytes(a.held.manifest, b.held.manifest),
      reusedBytes: b.report.reusedBytes,
      requests: b.report.requests,
      ingestSeconds,
      syncSeconds,
      counts,
    };
  } finally {
    await proxy.stop();
    await origin.stop();
  }
}

/** Cutting both images by FastCDC on their bytes alone (what a format-blind chunker gets). */
export async function fastCdcDeltaBytes(v1: string, v2: string): Promise<DeltaBytes> {
  const pieces = (d: Buffer) => fastCdcBoundaries(d).map((e, i, ends) => d.subarray(i ? ends[i - 1] : 0, e));
  const held = new Set(pieces(await readFile(v1)).map(id));
  let bytes = 0;
  let chunks = 0;
  for (const p of pieces(await readFile(v2))) {
    const sha = id(p);
    if (held.has(sha)) continue;
    held.add(sha);
    bytes += zstd3(p);
    chunks++;
  }
  return { bytes, chunks, chunking: 'fastcdc-v1 (forced)' };
}
