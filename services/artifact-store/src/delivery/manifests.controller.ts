import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { MANIFEST_PATCH_MEDIA_TYPE } from '@muster/chunks';
import { OwnAuthentication } from '@muster/runtime';
import { ChunkCatalogRepository } from '../chunks/chunk-catalog.repository.js';
import { IMMUTABLE } from './chunks.controller.js';
import { manifestQuery, sha256Param, type ManifestQuery } from './delivery.schemas.js';
import { ManifestCache } from './manifest-cache.js';

@Controller('v1/manifests')
@OwnAuthentication('none: manifests are named by their SHA-256, and signed releases name them')
export class ManifestsController {
  constructor(
    @Inject(ChunkCatalogRepository) private readonly catalog: ChunkCatalogRepository,
    @Inject(ManifestCache) private readonly cache: ManifestCache,
  ) {}

  /**
   * The manifest's JSON; with `?base=<id of a manifest the client holds>`, a zstd frame that
   * rebuilds it from that one (`application/vnd.muster.manifest-patch+zstd`), a few kilobytes
   * where the whole would be hundreds.
   */
  @Get(':sha256')
  async get(
    @Param('sha256', { schema: sha256Param }) sha256: string,
    @Query({ schema: manifestQuery }) query: ManifestQuery,
    @Res() res: ServerResponse,
  ): Promise<void> {
    if (!(await this.catalog.hasManifest(sha256))) throw new NotFoundException(`no manifest ${sha256}`);
    if (query.base && !(await this.catalog.hasManifest(query.base)))
      throw new NotFoundException(`no manifest ${query.base} to patch against`);
    const body = query.base ? await this.cache.patch(query.base, sha256) : await this.cache.manifest(sha256);
    res.statusCode = 200;
    res.setHeader('content-type', query.base ? MANIFEST_PATCH_MEDIA_TYPE : 'application/json');
    res.setHeader('cache-control', IMMUTABLE);
    res.setHeader('content-length', body.length);
    res.end(body);
  }
}
