import type { TokenRecord } from '@muster/api-auth';

/** A token as the API shows it: never its secret nor the secret's hash. */
export interface TokenView {
  tokenId: string;
  name: string;
  state: 'active' | 'revoked' | 'expired';
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  /** Recorded in batches by the services that checked it: up to about a minute late. */
  lastUsedAt: string | null;
}

export function tokenView(record: TokenRecord, lastUsedAt: string | undefined, now = new Date()): TokenView {
  const state =
    record.revokedAt !== null
      ? 'revoked'
      : record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime()
        ? 'expired'
        : 'active';
  return {
    tokenId: record.tokenId,
    name: record.name,
    state,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    revokedBy: record.revokedBy,
    lastUsedAt: lastUsedAt ?? null,
  };
}
