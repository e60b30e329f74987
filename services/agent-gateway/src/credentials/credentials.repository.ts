import { updatedRows } from '@muster/persistence';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { hashSecret, newSecretToken, parseSecretToken, secretMatches } from '../tokens/secret-token.js';

/** The agent a valid credential names, with what a connection needs to know about it. */
export interface AuthenticatedAgent {
  agentId: string;
  credentialId: string;
  credentialExpiresAt: Date;
  siteId: string;
  machineId: string;
  publicKey: Uint8Array;
  lastSeq: bigint;
}

export type CredentialRefusal = 'unknown' | 'expired' | 'revoked';

export interface IssuedCredential {
  credentialId: string;
  credential: string;
  expiresAt: Date;
}

/**
 * Agent credentials: opaque `mac_<credentialId>_<secret>`, stored as the secret's SHA-256,
 * short-lived and revocable. A revocation reaches live connections through the gateway's
 * control signal, and through `revokedSince` for an instance that missed the signal.
 */
@Injectable()
export class CredentialsRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

  async issue(manager: EntityManager, agentId: string, ttlSeconds: number): Promise<IssuedCredential> {
    const token = newSecretToken('mac');
    const [row] = await manager.query<{ expires_at: Date }[]>(
      `INSERT INTO agent_credential (credential_id, agent_id, secret_hash, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING expires_at`,
      [token.id, agentId, hashSecret(token.secret), ttlSeconds],
    );
    return { credentialId: token.id, credential: token.text, expiresAt: row!.expires_at };
  }

  async authenticate(text: string): Promise<AuthenticatedAgent | { refused: CredentialRefusal }> {
    const token = parseSecretToken('mac', text);
    if (!token) return { refused: 'unknown' };
    const [row] = await this.ds.query<
      {
        secret_hash: Buffer;
        agent_id: string;
        expires_at: Date;
        expired: boolean;
        revoked: boolean;
        site_id: string;
        machine_id: string;
        public_key: Buffer;
        last_seq: string;
      }[]
    >(
      `SELECT c.secret_hash, c.agent_id, c.expires_at, c.expires_at <= now() AS expired,
              (c.revoked_at IS NOT NULL OR a.revoked_at IS NOT NULL) AS revoked,
              a.site_id, a.machine_id, a.public_key, a.last_seq
         FROM agent_credential c JOIN agent a USING (agent_id)
        WHERE c.credential_id = $1`,
      [token.id],
    );
    if (!row || !secretMatches(token.secret, row.secret_hash)) return { refused: 'unknown' };
    if (row.revoked) return { refused: 'revoked' };
    if (row.expired) return { refused: 'expired' };
    return {
      agentId: row.agent_id,
      credentialId: token.id,
      credentialExpiresAt: row.expires_at,
      siteId: row.site_id,
      machineId: row.machine_id,
      publicKey: new Uint8Array(row.public_key),
      lastSeq: BigInt(row.last_seq),
    };
  }

  /** Revokes every live credential of these agents; returns the credential ids revoked. */
  async revokeAllOf(manager: EntityManager, agentIds: readonly string[]): Promise<string[]> {
    if (agentIds.length === 0) return [];
    const rows = updatedRows<{ credential_id: string }>(
      await manager.query(
        `UPDATE agent_credential SET revoked_at = now()
        WHERE agent_id = ANY($1) AND revoked_at IS NULL RETURNING credential_id`,
        [agentIds],
      ),
    );
    return rows.map((r) => r.credential_id);
  }

  /**
   * Credentials revoked at or after `since` (by the database clock), and the time to ask from
   * next: the backstop for a revocation signal an instance did not receive.
   */
  async revokedSince(since: Date): Promise<{ credentialIds: string[]; now: Date }> {
    const [clock] = await this.ds.query<{ now: Date }[]>('SELECT now() AS now');
    const rows = await this.ds.query<{ credential_id: string }[]>(
      `SELECT credential_id FROM agent_credential WHERE revoked_at >= $1`,
      [since],
    );
    return { credentialIds: rows.map((r) => r.credential_id), now: clock!.now };
  }
}
