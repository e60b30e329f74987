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
  Req,
} from '@nestjs/common';
import { actorOf, TokenIssuer, TokenNotFoundError, tokenNameSchema } from '@muster/api-auth';
import { BusConnection } from '@muster/messaging';
import { OperatorAuth, pageLimit } from '@muster/runtime';
import { z } from 'zod';
import { TokenAuditRepository } from './token-audit.repository.js';
import { tokenView, type TokenView } from './token-view.js';

const tokenId = z.string().regex(/^[0-9a-f]{16}$/, 'must be a token id (16 hex digits)');
const createBody = z
  .object({
    name: tokenNameSchema,
    /** Absent: the token never expires (revoke it when it is no longer needed). */
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
const listQuery = z.object({ limit: pageLimit, after: tokenId.optional() }).strict();
const tokenParam = z.object({ tokenId }).strict();

/** The operators' API tokens: created (the token shown once), listed, revoked. */
@Controller('v1/tokens')
export class TokensController {
  private readonly issuer: TokenIssuer;

  constructor(
    @Inject(BusConnection) bus: BusConnection,
    @Inject(OperatorAuth) private readonly auth: OperatorAuth,
    @Inject(TokenAuditRepository) private readonly audit: TokenAuditRepository,
  ) {
    this.issuer = new TokenIssuer(bus);
  }

  /** 201 with the token itself, which is never shown again. */
  @Post()
  async create(
    @Body({ schema: createBody }) body: z.infer<typeof createBody>,
    @Req() req: object,
  ): Promise<TokenView & { token: string }> {
    const actor = actorOf(req);
    const now = new Date();
    const expiresAt =
      body.expiresInDays === undefined ? null : new Date(now.getTime() + body.expiresInDays * 86_400_000);
    const { record, token, seq } = await this.issuer.create(
      { name: body.name, createdBy: actor, expiresAt },
      now,
    );
    this.auth.tokens.cache.hold(record, seq);
    await this.audit.record(record.tokenId, record.name, 'created', actor);
    return { ...tokenView(record, undefined, now), token };
  }

  /** Every token, revoked and expired ones too, by id. */
  @Get()
  list(@Query({ schema: listQuery }) query: z.infer<typeof listQuery>): {
    tokens: TokenView[];
    next?: string;
  } {
    const cache = this.auth.tokens.cache;
    const all = cache.all().filter((t) => query.after === undefined || t.tokenId > query.after);
    const page = all.slice(0, query.limit);
    const tokens = page.map((t) => tokenView(t, cache.lastUsedAt(t.tokenId)));
    const last = page.at(-1);
    return all.length > query.limit && last ? { tokens, next: last.tokenId } : { tokens };
  }

  /** Revokes the token; every service refuses it within seconds. Revoking it again changes nothing. */
  @Delete(':tokenId')
  @HttpCode(200)
  async revoke(
    @Param({ schema: tokenParam }) params: z.infer<typeof tokenParam>,
    @Req() req: object,
  ): Promise<TokenView> {
    const actor = actorOf(req);
    try {
      const { record, seq, changed } = await this.issuer.revoke(params.tokenId, actor);
      this.auth.tokens.cache.hold(record, seq);
      if (changed) await this.audit.record(record.tokenId, record.name, 'revoked', actor);
      return tokenView(record, this.auth.tokens.cache.lastUsedAt(record.tokenId));
    } catch (err) {
      if (err instanceof TokenNotFoundError) throw new NotFoundException(err.message);
      throw err;
    }
  }
}
