import { parseToken, tokenSecretMatches } from './token-format.js';
import type { BusConnection } from '@muster/messaging';
import { tokensBucket } from './token-bucket.js';
import { TokenCache, type CacheLogger } from './token-cache.js';
import { TokenUseRecorder } from './token-use.js';

/** Who made a request with an operator token: what audit entries and histories record. */
export interface Operator {
  readonly tokenId: string;
  readonly name: string;
  /** `operator:<token name>`. */
  readonly actor: string;
}

/** Why a request's token was refused; a client may branch on it. */
export type RefusalReason = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired';

export type Authentication =
  | { readonly ok: true; readonly operator: Operator }
  | { readonly ok: false; readonly reason: RefusalReason; readonly detail: string };

/** The bucket could not be read and the token is not held in memory: neither yes nor no. */
export class TokenStoreUnavailableError extends Error {
  override readonly name = 'TokenStoreUnavailableError';
}

export interface OperatorTokensOptions {
  logger?: CacheLogger;
  /** How often last-used times are written (default one minute). */
  useFlushIntervalMs?: number;
}

const refuse = (reason: RefusalReason, detail: string): Authentication => ({ ok: false, reason, detail });

/**
 * The check of an operator's API token that every service's HTTP edge runs: `Authorization:
 * Bearer mst_<tokenId>_<secret>` against the watched copy of the API_TOKENS bucket. Kept in
 * this library so that roles can be added here later without touching the services.
 */
export class OperatorTokens {
  private constructor(
    readonly cache: TokenCache,
    private readonly uses: TokenUseRecorder,
  ) {}

  static start(bus: BusConnection, options: OperatorTokensOptions = {}): OperatorTokens {
    const cache = new TokenCache(bus, options.logger).start();
    const uses = new TokenUseRecorder(
      tokensBucket(bus),
      options.useFlushIntervalMs ?? 60_000,
      options.logger,
    ).start();
    return new OperatorTokens(cache, uses);
  }

  /** Checks an `Authorization` header value; throws TokenStoreUnavailableError when it cannot tell. */
  async authenticate(authorization: string | undefined, now = new Date()): Promise<Authentication> {
    if (authorization === undefined || authorization.trim() === '') {
      return refuse('missing', 'this route needs an operator API token: Authorization: Bearer mst_…');
    }
    const match = /^Bearer +(\S+)$/i.exec(authorization.trim());
    const token = match ? parseToken(match[1]!) : undefined;
    if (!token) {
      return refuse('malformed', 'the Authorization header is not "Bearer mst_<tokenId>_<secret>"');
    }
    let record;
    try {
      record = await this.cache.find(token.tokenId, now.getTime());
    } catch (err) {
      throw new TokenStoreUnavailableError(`operator tokens cannot be read: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!record || !tokenSecretMatches(token.secret, record.secretHash)) {
      return refuse('unknown', 'no such API token (or a wrong secret)');
    }
    if (record.revokedAt !== null) {
      return refuse(
        'revoked',
        `API token ${record.tokenId} (${record.name}) was revoked at ${record.revokedAt}`,
      );
    }
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime()) {
      return refuse('expired', `API token ${record.tokenId} (${record.name}) expired at ${record.expiresAt}`);
    }
    this.uses.used(record.tokenId, now);
    return {
      ok: true,
      operator: { tokenId: record.tokenId, name: record.name, actor: `operator:${record.name}` },
    };
  }

  /** Writes pending last-used times now (also done every interval and on close). */
  flushUses(): Promise<void> {
    return this.uses.flush();
  }

  async close(): Promise<void> {
    this.cache.close();
    await this.uses.close();
  }
}
