import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  Body,
  Controller,
  Get,
  Head,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { CHUNK_PACK_MEDIA_TYPE, chunkObjectKey, encodeChunkPackHeader } from '@muster/chunks';
import { BodyLimit, drained, InvalidInputError, OwnAuthentication } from '@muster/runtime';
import type { Readable } from 'node:stream';
import { ARTIFACT_SETTINGS, type ArtifactSettings } from '../artifact.config.js';
import { ChunkCatalogRepository } from '../chunks/chunk-catalog.repository.js';
import { ArtifactBucket } from '../storage/artifact-bucket.provider.js';
import {
  chunkQuery,
  FETCH_BODY_LIMIT,
  fetchChunksBody,
  sha256Param,
  type ChunkQuery,
  type FetchChunksBody,
} from './delivery.schemas.js';
import { DeliveryMetrics } from './delivery.metrics.js';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** S3 reads started ahead of the record being written, so a pack streams at S3's throughput, not its latency. */
const READ_AHEAD = 8;
const PRESIGN_SECONDS = 300;

@Controller('v1/chunks')
@OwnAuthentication('none: chunks are named by their SHA-256 and clients check every one')
export class ChunksController {
  constructor(
    @Inject(ChunkCatalogRepository) private readonly catalog: ChunkCatalogRepository,
    @Inject(ArtifactBucket) private readonly bucket: ArtifactBucket,
    @Inject(ARTIFACT_SETTINGS) private readonly settings: ArtifactSettings,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {}

  /** The chunk's stored zstd frame; immutable, so any HTTP cache may keep it. */
  @Get(':sha256')
  async get(
    @Param('sha256', { schema: sha256Param }) sha256: string,
    @Query({ schema: chunkQuery }) query: ChunkQuery,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const known = await this.headers(sha256, res);
    if (query.redirect === 'presigned') {
      if (!this.settings.presignHost)
        throw InvalidInputError.of(
          'redirect',
          'query',
          'presigned URLs are not set up here (MUSTER_ARTIFACT_PRESIGN_HOST)',
        );
      const url = await this.bucket.store.presignGet(this.bucket.name, chunkObjectKey(sha256), {
        expirySeconds: PRESIGN_SECONDS,
        host: this.settings.presignHost,
      });
      res.statusCode = 307;
      res.setHeader('location', url);
      res.setHeader('cache-control', 'no-store');
      res.end();
      return;
    }
    res.setHeader('content-length', known.storedLength);
    this.metrics.served(1, known.storedLength);
    await pipeline(await this.bucket.store.get(this.bucket.name, chunkObjectKey(sha256)), res);
  }

  @Head(':sha256')
  async head(
    @Param('sha256', { schema: sha256Param }) sha256: string,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const known = await this.headers(sha256, res);
    res.setHeader('content-length', known.storedLength);
    res.end();
  }

  /**
   * Many chunks in one response (`application/vnd.muster.chunk-pack`), in the order asked. Every
   * id is checked before the first byte: an unknown one is a 404 listing the ids not held.
   */
  @Post('fetch')
  @HttpCode(200)
  @BodyLimit(FETCH_BODY_LIMIT)
  async fetch(
    @Body({ schema: fetchChunksBody }) body: FetchChunksBody,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const known = await this.catalog.lengths(body.chunks);
    const missing = body.chunks.filter((id) => !known.has(id));
    if (missing.length > 0) {
      this.metrics.refused('unknown-chunk', missing.length);
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'unknown chunks', missing }));
      return;
    }
    const total = body.chunks.reduce((sum, id) => sum + 36 + known.get(id)!.storedLength, 0);
    res.statusCode = 200;
    res.setHeader('content-type', CHUNK_PACK_MEDIA_TYPE);
    res.setHeader('content-length', total);
    res.setHeader('cache-control', 'no-store');
    const reads: Promise<Readable>[] = [];
    const read = (i: number) => {
      const id = body.chunks[i];
      if (!id) return;
      reads[i] = this.bucket.store.get(this.bucket.name, chunkObjectKey(id));
      reads[i].catch(() => undefined);
    };
    for (let i = 0; i < READ_AHEAD; i += 1) read(i);
    try {
      for (let i = 0; i < body.chunks.length && !res.destroyed; i += 1) {
        const id = body.chunks[i]!;
        const object = await reads[i]!;
        read(i + READ_AHEAD);
        if (!res.write(encodeChunkPackHeader(id, known.get(id)!.storedLength))) await drained(res);
        for await (const piece of object as AsyncIterable<Buffer>) {
          if (res.destroyed) break;
          if (!res.write(piece)) await drained(res);
        }
      }
      // A client that went away got part of the pack: not counted as served.
      if (res.destroyed) return;
      this.metrics.served(body.chunks.length, total);
      res.end();
    } catch {
      // The stream is cut: the client keeps the whole records it got and asks again for the rest.
      res.destroy();
    } finally {
      for (const pending of reads.slice(0))
        void pending?.then(
          (s) => s.destroy(),
          () => undefined,
        );
    }
  }

  private async headers(
    sha256: string,
    res: ServerResponse,
  ): Promise<{ length: number; storedLength: number }> {
    const known = (await this.catalog.lengths([sha256])).get(sha256);
    if (!known) {
      this.metrics.refused('unknown-chunk', 1);
      throw new NotFoundException(`no chunk ${sha256}`);
    }
    res.statusCode = 200;
    res.setHeader('content-type', 'application/zstd');
    res.setHeader('cache-control', IMMUTABLE);
    res.setHeader('etag', `"${sha256}"`);
    res.setHeader('muster-chunk-length', known.length);
    return known;
  }
}
