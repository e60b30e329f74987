import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface AgentSummary {
  agentId: string;
  siteId: string;
  machineId: string | null;
  lastSeen: Date | null;
}

@Injectable()
export class AgentsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** By agent id, one page after the agent id `after`. */
  async list(siteId: string | undefined, limit: number, after?: string): Promise<AgentSummary[]> {
    const rows = await this.ds.query<
      { agent_id: string; site_id: string; machine_id: string | null; last_seen: Date | null }[]
    >(
      `SELECT agent_id, site_id, machine_id, last_seen FROM agent
        WHERE revoked_at IS NULL AND ($1::text IS NULL OR site_id = $1) AND ($3::text IS NULL OR agent_id > $3)
        ORDER BY agent_id LIMIT $2`,
      [siteId ?? null, limit, after ?? null],
    );
    return rows.map((r) => ({
      agentId: r.agent_id,
      siteId: r.site_id,
      machineId: r.machine_id,
      lastSeen: r.last_seen,
    }));
  }
}
