import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import { CHUNK_PACK_MEDIA_TYPE, encodeChunkPackHeader, MAX_CHUNKS_PER_FETCH } from '@muster/chunks';
import { BodyLimit, drained, OwnAuthentication } from '@muster/runtime';
import { z } from 'zod';
import { answerFor } from '../http/origin-errors.js';
import { sha256Value } from '../http/params.js';
import { CacheStats } from '../status/cache-stats.js';
import { ChunkSource, type HeldChunk } from './chunk-source.js';

const chunkParam = z.object({ sha256: sha256Value }).strict();
const fetchBody = z
  .object({ chunks: z.array(sha256Value).min(1).max(MAX_CHUNKS_PER_FETCH) })
  .strict()
  .refine((b) => new Set(b.chunks).size === b.chunks.length, {
    error: 'chunk ids must be distinct',
    path: ['chunks'],
  });

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The origin's chunk routes, answered from the site's disk and read through on a miss. */
@Controller('v1/chunks')
@OwnAuthentication('none: chunks are named by their hash, which every client checks')
export class ChunksController {
  constructor(
    @Inject(ChunkSource) private readonly chunks: ChunkSource,
    @Inject(CacheStats) private readonly stats: CacheStats,
  ) {}

  /** One chunk's stored zstd frame (HEAD likewise, without the body). */
  @Get(':sha256')
  async one(
    @Param({ schema: chunkParam }) params: z.infer<typeof chunkParam>,
    @Res() res: ServerResponse,
  ): Promise<void> {
    let chunk: HeldChunk;
    try {
      chunk = await this.chunks.one(params.sha256);
    } catch (error) {
      throw answerFor(error);
    }
    res.writeHead(200, {
      'content-type': 'application/zstd',
      'content-length': chunk.stored.length,
      'cache-control': IMMUTABLE,
      etag: `"${params.sha256}"`,
      'muster-chunk-length': chunk.length,
    });
    res.end(chunk.stored);
    this.stats.servedChunk(chunk.stored.length);
  }

  /**
   * Many chunks as one chunk pack, in request order, each record sent as soon as it is there.
   * A chunk that cannot be had once streaming began (refused, the origin gone) ends the stream
   * early: the client keeps the whole records and asks again for the rest.
   */
  @Post('fetch')
  @BodyLimit(MAX_CHUNKS_PER_FETCH * 80 + 1024)
  async fetch(
    @Body({ schema: fetchBody }) body: z.infer<typeof fetchBody>,
    @Res() res: ServerResponse,
  ): Promise<void> {
    let entries: Promise<HeldChunk>[];
    try {
      entries = await this.chunks.many(body.chunks);
    } catch (error) {
      throw answerFor(error);
    }
    res.writeHead(200, { 'content-type': CHUNK_PACK_MEDIA_TYPE, 'cache-control': 'no-store' });
    for (const [i, entry] of entries.entries()) {
      let chunk: HeldChunk;
      try {
        chunk = await entry;
      } catch {
        break;
      }
      if (res.destroyed) return;
      res.write(encodeChunkPackHeader(body.chunks[i]!, chunk.stored.length));
      const room = res.write(chunk.stored);
      this.stats.servedChunk(chunk.stored.length);
      if (!room) await drained(res);
    }
    res.end();
  }
}
