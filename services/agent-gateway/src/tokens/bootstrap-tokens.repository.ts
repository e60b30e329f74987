import { updatedRows } from '@muster/persistence';
import { Inject, Injectable } from '@nestjs/common';
import type { TimeCursor } from '@muster/runtime';
import { DataSource, type EntityManager } from 'typeorm';
import { hashSecret, newSecretToken, secretMatches, type SecretToken } from './secret-token.js';

export type BootstrapTokenState = 'active' | 'used' | 'expired' | 'revoked';

export interface BootstrapTokenSummary {
  tokenId: string;
  siteId: string;
  note: string | null;
  state: BootstrapTokenState;
  createdAt: Date;
  expiresAt: Date;
  claimedAt: Date | null;
  /** The agent that enrolled with it. */
  claimedBy: string | null;
}

interface TokenRow {
  token_id: string;
  site_id: string;
  note: string | null;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  claimed_at: Date | null;
  claimed_by: string | null;
  at: string;
}

/** Why a bootstrap token cannot enroll an agent; the agent is told which. */
export type TokenRefusal = 'unknown' | 'used' | 'expired' | 'revoked';

/**
 * Bootstrap tokens (raw SQL, as everywhere in this service: the claim is one conditional
 * UPDATE that two enrollments with the same token cannot both win).
 */
@Injectable()
export class BootstrapTokensRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async issue(siteId: string, expiresInSeconds: number, note: string | undefined) {
    const token = newSecretToken('mbt');
    const [row] = await this.ds.query<{ expires_at: Date }[]>(
      `INSERT INTO bootstrap_token (token_id, secret_hash, site_id, note, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING expires_at`,
      [token.id, hashSecret(token.secret), siteId, note ?? null, expiresInSeconds],
    );
    return { tokenId: token.id, token: token.text, siteId, expiresAt: row!.expires_at };
  }

  /** Newest first, one page after `after`. */
  async list(
    limit: number,
    after?: TimeCursor,
  ): Promise<{ row: BootstrapTokenSummary; cursor: TimeCursor }[]> {
    const rows = await this.ds.query<TokenRow[]>(
      `SELECT token_id, site_id, note, created_at, expires_at, revoked_at, claimed_at, claimed_by,
              created_at::text AS at
         FROM bootstrap_token
        WHERE $2::timestamptz IS NULL OR (created_at, token_id) < ($2::timestamptz, $3::text)
        ORDER BY created_at DESC, token_id DESC LIMIT $1`,
      [limit, after?.at ?? null, after?.id ?? null],
    );
    const now = Date.now();
    return rows.map((r) => ({ row: summary(r, now), cursor: { at: r.at, id: r.token_id } }));
  }

  /** Revokes an unused token; false when there is no such token. A used token stays used. */
  async revoke(tokenId: string): Promise<boolean> {
    const rows = updatedRows<{ token_id: string }>(
      await this.ds.query(
        `UPDATE bootstrap_token SET revoked_at = coalesce(revoked_at, now())
        WHERE token_id = $1 RETURNING token_id`,
        [tokenId],
      ),
    );
    return rows.length > 0;
  }

  /** What a token would enroll into, without using it (the enrollment asks inventory first). */
  async check(token: SecretToken): Promise<{ siteId: string } | { refused: TokenRefusal }> {
    const [row] = await this.ds.query<
      {
        secret_hash: Buffer;
        site_id: string;
        expired: boolean;
        revoked_at: Date | null;
        claimed_at: Date | null;
      }[]
    >(
      `SELECT secret_hash, site_id, expires_at <= now() AS expired, revoked_at, claimed_at
         FROM bootstrap_token WHERE token_id = $1`,
      [token.id],
    );
    if (!row || !secretMatches(token.secret, row.secret_hash)) return { refused: 'unknown' };
    if (row.revoked_at) return { refused: 'revoked' };
    if (row.claimed_at) return { refused: 'used' };
    if (row.expired) return { refused: 'expired' };
    return { siteId: row.site_id };
  }

  /** Uses the token for `agentId`, in the enrollment's transaction; false when it was used meanwhile. */
  async claim(manager: EntityManager, tokenId: string, agentId: string): Promise<boolean> {
    const rows = updatedRows<{ token_id: string }>(
      await manager.query(
        `UPDATE bootstrap_token SET claimed_at = now(), claimed_by = $2
        WHERE token_id = $1 AND claimed_at IS NULL AND revoked_at IS NULL AND expires_at > now()
        RETURNING token_id`,
        [tokenId, agentId],
      ),
    );
    return rows.length === 1;
  }
}

function summary(r: TokenRow, now: number): BootstrapTokenSummary {
  const state: BootstrapTokenState = r.claimed_at
    ? 'used'
    : r.revoked_at
      ? 'revoked'
      : r.expires_at.getTime() <= now
        ? 'expired'
        : 'active';
  return {
    tokenId: r.token_id,
    siteId: r.site_id,
    note: r.note,
    state,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    claimedAt: r.claimed_at,
    claimedBy: r.claimed_by,
  };
}
