import { updatedRows } from '@muster/persistence';
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface AgentSummary {
  agentId: string;
  siteId: string;
  machineId: string | null;
  hostname: string | null;
  agentVersion: string | null;
  keyFingerprint: string | null;
  enrolledAt: Date;
  lastSeen: Date | null;
  lastSeq: string;
  /** Held by a gateway instance (as of the last write of last-seen, every few seconds). */
  connected: boolean;
  gatewayInstance: string | null;
  credentialExpiresAt: Date | null;
  revoked: boolean;
  revokedAt: Date | null;
  revokedReason: string | null;
}

export interface NewAgent {
  agentId: string;
  siteId: string;
  machineId: string;
  publicKey: Uint8Array;
  hostname: string;
  agentVersion: string;
}

/** What a connection learned since the last flush: written in one statement for many agents. */
export interface SeenAgent {
  agentId: string;
  lastSeen: Date;
  lastSeq: bigint;
}

interface AgentRow {
  agent_id: string;
  site_id: string;
  machine_id: string | null;
  hostname: string | null;
  agent_version: string | null;
  key_fingerprint: string | null;
  enrolled_at: Date;
  last_seen: Date | null;
  last_seq: string;
  connected: boolean;
  gateway_instance: string | null;
  credential_expires_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

/** SHA-256 of the raw public key, hex: how an operator recognises a key. */
export function keyFingerprint(publicKey: Uint8Array): string {
  return `sha256:${createHash('sha256').update(publicKey).digest('hex')}`;
}

const SELECT = `
  SELECT a.agent_id, a.site_id, a.machine_id, a.hostname, a.agent_version, a.key_fingerprint,
         a.enrolled_at, a.last_seen, a.last_seq, a.gateway_instance, a.revoked_at, a.revoked_reason,
         (a.gateway_instance IS NOT NULL AND a.last_seen > now() - make_interval(secs => $1)) AS connected,
         (SELECT max(c.expires_at) FROM agent_credential c
           WHERE c.agent_id = a.agent_id AND c.revoked_at IS NULL) AS credential_expires_at
    FROM agent a`;

/**
 * The agent table (raw SQL throughout this service). Last-seen and last-seq are written in
 * batches by the connections' flusher, never once per report.
 */
@Injectable()
export class AgentsRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

  async insert(manager: EntityManager, agent: NewAgent): Promise<void> {
    await manager.query(
      `INSERT INTO agent (agent_id, site_id, machine_id, public_key, key_fingerprint, hostname, agent_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        agent.agentId,
        agent.siteId,
        agent.machineId,
        Buffer.from(agent.publicKey),
        keyFingerprint(agent.publicKey),
        agent.hostname || null,
        agent.agentVersion,
      ],
    );
  }

  /** Live agents bound to the machine, or named, other than `except`: a re-imaged machine's. */
  async boundBefore(
    manager: EntityManager,
    machineId: string,
    named: string | undefined,
    except: string,
  ): Promise<string[]> {
    const rows = await manager.query<{ agent_id: string }[]>(
      `SELECT agent_id FROM agent
        WHERE (machine_id = $1 OR agent_id = $2) AND agent_id <> $3 AND revoked_at IS NULL
        FOR UPDATE`,
      [machineId, named ?? null, except],
    );
    return rows.map((r) => r.agent_id);
  }

  /** Marks agents revoked (their credentials are revoked beside this); returns those it changed. */
  async revoke(manager: EntityManager, agentIds: readonly string[], reason: string): Promise<string[]> {
    if (agentIds.length === 0) return [];
    const rows = updatedRows<{ agent_id: string }>(
      await manager.query(
        `UPDATE agent SET revoked_at = now(), revoked_reason = $2
        WHERE agent_id = ANY($1) AND revoked_at IS NULL RETURNING agent_id`,
        [agentIds, reason],
      ),
    );
    return rows.map((r) => r.agent_id);
  }

  async find(agentId: string, connectedWithinSeconds: number): Promise<AgentSummary | undefined> {
    const [row] = await this.ds.query<AgentRow[]>(`${SELECT} WHERE a.agent_id = $2`, [
      connectedWithinSeconds,
      agentId,
    ]);
    return row && summary(row);
  }

  /** By agent id, one page after `after`; revoked agents included (they say so). */
  async list(
    filter: { siteId?: string | undefined; connected?: boolean | undefined },
    connectedWithinSeconds: number,
    limit: number,
    after?: string,
  ): Promise<AgentSummary[]> {
    const rows = await this.ds.query<AgentRow[]>(
      `${SELECT}
        WHERE ($2::text IS NULL OR a.site_id = $2) AND ($4::text IS NULL OR a.agent_id > $4)
          AND ($5::boolean IS NULL
               OR $5 = (a.gateway_instance IS NOT NULL AND a.last_seen > now() - make_interval(secs => $1)))
        ORDER BY a.agent_id LIMIT $3`,
      [connectedWithinSeconds, filter.siteId ?? null, limit, after ?? null, filter.connected ?? null],
    );
    return rows.map(summary);
  }

  /** Records which instance holds the agent now (one write per connection, not per report). */
  async markConnected(agentId: string, instanceId: string): Promise<void> {
    await this.ds.query(`UPDATE agent SET gateway_instance = $2, last_seen = now() WHERE agent_id = $1`, [
      agentId,
      instanceId,
    ]);
  }

  /** Clears the holder if it is still this instance (a newer connection elsewhere keeps its own). */
  async markDisconnected(agentId: string, instanceId: string): Promise<void> {
    await this.ds.query(
      `UPDATE agent SET gateway_instance = NULL WHERE agent_id = $1 AND gateway_instance = $2`,
      [agentId, instanceId],
    );
  }

  /**
   * Writes many agents' last-seen and last-seq in one statement. last_seq only grows: a late
   * flush from an instance that lost the agent cannot move it back.
   */
  async flushSeen(seen: readonly SeenAgent[]): Promise<void> {
    if (seen.length === 0) return;
    await this.ds.query(
      `UPDATE agent a SET last_seen = greatest(a.last_seen, s.last_seen),
                          last_seq = greatest(a.last_seq, s.last_seq)
         FROM unnest($1::text[], $2::timestamptz[], $3::bigint[]) AS s(agent_id, last_seen, last_seq)
        WHERE a.agent_id = s.agent_id`,
      [seen.map((s) => s.agentId), seen.map((s) => s.lastSeen), seen.map((s) => s.lastSeq.toString())],
    );
  }
}

function summary(r: AgentRow): AgentSummary {
  return {
    agentId: r.agent_id,
    siteId: r.site_id,
    machineId: r.machine_id,
    hostname: r.hostname,
    agentVersion: r.agent_version,
    keyFingerprint: r.key_fingerprint,
    enrolledAt: r.enrolled_at,
    lastSeen: r.last_seen,
    lastSeq: r.last_seq,
    connected: r.connected,
    gatewayInstance: r.connected ? r.gateway_instance : null,
    credentialExpiresAt: r.credential_expires_at,
    revoked: r.revoked_at !== null,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
  };
}
