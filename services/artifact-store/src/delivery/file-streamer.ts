import type { ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { Inject, Injectable } from '@nestjs/common';
import { drained } from '@muster/runtime';
import { chunkObjectKey, decompressChunk, parseManifest, type ManifestChunk } from '@muster/chunks';
import { ArtifactBucket } from '../storage/artifact-bucket.provider.js';
import { DeliveryMetrics } from './delivery.metrics.js';
import { ManifestCache } from './manifest-cache.js';

/** Chunks read and checked ahead of the one being written. */
const READ_AHEAD = 4;

export interface ByteSpan {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * `Range: bytes=a-b`, `a-` or `-n` of a file of `length` bytes: the span, 'unsatisfiable', or
 * undefined to send the whole file (no header, several ranges, or a form not understood).
 */
export function parseRange(
  header: string | undefined,
  length: number,
): ByteSpan | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? length - 1 : Math.min(Number(match[2]), length - 1);
  if (start >= length || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * A release file rebuilt from its chunks as it is sent, each chunk checked against its id: for
 * network boot (kernel, initrd, root image), where firmware and iPXE speak plain HTTP.
 */
@Injectable()
export class FileStreamer {
  constructor(
    @Inject(ArtifactBucket) private readonly bucket: ArtifactBucket,
    @Inject(ManifestCache) private readonly manifests: ManifestCache,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {}

  async send(
    file: { sha256: string; lengthBytes: number; manifestSha256: string },
    rangeHeader: string | undefined,
    res: ServerResponse,
  ): Promise<void> {
    const manifest = parseManifest(await this.manifests.manifest(file.manifestSha256));
    const range = parseRange(rangeHeader, manifest.length);
    res.setHeader('accept-ranges', 'bytes');
    res.setHeader('etag', `"${file.sha256}"`);
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    if (range === 'unsatisfiable') {
      this.metrics.refused('bad-range');
      res.statusCode = 416;
      res.setHeader('content-range', `bytes */${manifest.length}`);
      res.end();
      return;
    }
    const span = range ?? { start: 0, end: manifest.length - 1 };
    res.statusCode = range ? 206 : 200;
    if (range) res.setHeader('content-range', `bytes ${span.start}-${span.end}/${manifest.length}`);
    res.setHeader('content-length', manifest.length === 0 ? 0 : span.end - span.start + 1);
    const chunks = manifest.chunks.filter((c) => c.offset + c.length > span.start && c.offset <= span.end);
    const reads: Promise<Buffer>[] = [];
    const read = (i: number) => {
      const chunk = chunks[i];
      if (!chunk) return;
      reads[i] = this.load(chunk);
      // Failures surface where the chunk is awaited; one read ahead must not fail the process.
      reads[i].catch(() => undefined);
    };
    for (let i = 0; i < READ_AHEAD; i += 1) read(i);
    try {
      for (let i = 0; i < chunks.length && !res.destroyed; i += 1) {
        const chunk = chunks[i]!;
        const bytes = await reads[i]!;
        read(i + READ_AHEAD);
        const from = Math.max(span.start - chunk.offset, 0);
        const to = Math.min(span.end - chunk.offset + 1, chunk.length);
        if (!res.write(bytes.subarray(from, to))) await drained(res);
      }
      res.end();
    } catch {
      // A chunk that cannot be read or does not match its id ends the response short: the client
      // sees fewer bytes than Content-Length announced, never wrong ones.
      this.metrics.refused('chunk-unreadable');
      res.destroy();
    }
  }

  private async load(chunk: ManifestChunk): Promise<Buffer> {
    const stored = await buffer(await this.bucket.store.get(this.bucket.name, chunkObjectKey(chunk.sha256)));
    return decompressChunk(stored, chunk);
  }
}
