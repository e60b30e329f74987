import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { OwnAuthentication } from '@muster/runtime';
import { z } from 'zod';
import { answerFor } from '../http/origin-errors.js';
import { sha256Value } from '../http/params.js';
import { ManifestSource } from './manifest-source.js';

const manifestParam = z.object({ sha256: sha256Value }).strict();
const manifestQuery = z.object({ base: sha256Value.optional() }).strict();

@Controller('v1/manifests')
@OwnAuthentication('none: manifests are named by their hash, which every client checks')
export class ManifestsController {
  constructor(@Inject(ManifestSource) private readonly manifests: ManifestSource) {}

  /** The manifest's bytes, or with `?base=` a patch against a manifest the client holds. */
  @Get(':sha256')
  async get(
    @Param({ schema: manifestParam }) params: z.infer<typeof manifestParam>,
    @Query({ schema: manifestQuery }) query: z.infer<typeof manifestQuery>,
    @Res() res: ServerResponse,
  ): Promise<void> {
    try {
      if (query.base) {
        const answer = await this.manifests.patch(params.sha256, query.base);
        res.writeHead(answer.status, {
          'content-type': answer.contentType,
          'cache-control': answer.status === 200 ? 'public, max-age=31536000, immutable' : 'no-store',
        });
        res.end(answer.body);
        return;
      }
      const bytes = await this.manifests.get(params.sha256);
      res.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'public, max-age=31536000, immutable',
        etag: `"${params.sha256}"`,
      });
      res.end(bytes);
    } catch (error) {
      throw answerFor(error);
    }
  }
}
