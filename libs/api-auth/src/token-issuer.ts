import type { BusConnection, KvBucket } from '@muster/messaging';
import { tokenKey, tokensBucket } from './token-bucket.js';
import { mintToken } from './token-format.js';
import { decodeRecord, encodeRecord, type TokenRecord } from './token-record.js';

export interface NewToken {
  readonly name: string;
  readonly createdBy: string;
  /** Never expires when null. */
  readonly expiresAt: Date | null;
}

export class TokenNotFoundError extends Error {
  override readonly name = 'TokenNotFoundError';
}

/**
 * Writes operator tokens into the API_TOKENS bucket: only the api service and the bootstrap
 * command (as the bus administrator) may. The token itself is returned once and never stored.
 */
export class TokenIssuer {
  private readonly bucket: KvBucket;

  constructor(bus: BusConnection) {
    this.bucket = tokensBucket(bus);
  }

  async create(
    input: NewToken,
    now = new Date(),
  ): Promise<{ record: TokenRecord; token: string; seq: number }> {
    const minted = mintToken();
    const record: TokenRecord = {
      tokenId: minted.tokenId,
      name: input.name,
      secretHash: minted.secretHash,
      createdAt: now.toISOString(),
      createdBy: input.createdBy,
      expiresAt: input.expiresAt?.toISOString() ?? null,
      revokedAt: null,
      revokedBy: null,
    };
    // A key that already exists is never overwritten (a 64-bit id collision fails loudly).
    const seq = await this.bucket.put(tokenKey(record.tokenId), encodeRecord(record), 0);
    return { record, token: minted.token, seq };
  }

  async get(tokenId: string): Promise<{ record: TokenRecord; seq: number } | undefined> {
    const stored = await this.bucket.get(tokenKey(tokenId));
    const record = stored ? decodeRecord(stored.value) : undefined;
    return stored && record ? { record, seq: stored.seq } : undefined;
  }

  /** Revokes a token; revoking a revoked one changes nothing and returns it as it is. */
  async revoke(
    tokenId: string,
    revokedBy: string,
    now = new Date(),
  ): Promise<{ record: TokenRecord; seq: number; changed: boolean }> {
    const current = await this.get(tokenId);
    if (!current) throw new TokenNotFoundError(`no API token ${tokenId}`);
    if (current.record.revokedAt !== null) return { ...current, changed: false };
    const revoked: TokenRecord = { ...current.record, revokedAt: now.toISOString(), revokedBy };
    // Only over the value read: a concurrent change makes this fail rather than be lost.
    const seq = await this.bucket.put(tokenKey(tokenId), encodeRecord(revoked), current.seq);
    return { record: revoked, seq, changed: true };
  }
}
