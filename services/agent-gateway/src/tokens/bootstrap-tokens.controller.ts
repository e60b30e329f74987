import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { encodeTimeCursor, nextPage, slug, timePageQuery, type TimePageQuery } from '@muster/runtime';
import { z } from 'zod';
import { BootstrapTokensRepository, type BootstrapTokenSummary } from './bootstrap-tokens.repository.js';

const issueBody = z
  .object({
    siteId: slug,
    expiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86400)
      .default(86400),
    note: z.string().max(500).optional(),
  })
  .strict();
const tokenParam = z.object({ tokenId: z.string().regex(/^[0-9a-f]{20}$/, 'must be a token id') }).strict();

/** One-time, expiring, site-scoped tokens an agent enrolls with; the token is shown once. */
@Controller('v1/bootstrap-tokens')
export class BootstrapTokensController {
  constructor(@Inject(BootstrapTokensRepository) private readonly tokens: BootstrapTokensRepository) {}

  @Post()
  async issue(
    @Body({ schema: issueBody }) body: z.infer<typeof issueBody>,
  ): Promise<{ tokenId: string; token: string; siteId: string; expiresAt: Date }> {
    return this.tokens.issue(body.siteId, body.expiresInSeconds, body.note);
  }

  /** Newest first; `next`, when present, is the `after` of the next page. Never the secret. */
  @Get()
  async list(
    @Query({ schema: timePageQuery }) query: TimePageQuery,
  ): Promise<{ bootstrapTokens: BootstrapTokenSummary[]; next?: string }> {
    const page = await this.tokens.list(query.limit, query.after);
    return {
      bootstrapTokens: page.map((p) => p.row),
      ...nextPage(page, query.limit, (p) => encodeTimeCursor(p.cursor)),
    };
  }

  @Delete(':tokenId')
  @HttpCode(204)
  async revoke(@Param({ schema: tokenParam }) params: z.infer<typeof tokenParam>): Promise<void> {
    if (!(await this.tokens.revoke(params.tokenId))) {
      throw new NotFoundException(`no bootstrap token ${params.tokenId}`);
    }
  }
}
