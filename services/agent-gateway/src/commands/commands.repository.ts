import { updatedRows } from '@muster/persistence';
import { Inject, Injectable } from '@nestjs/common';
import type { TimeCursor } from '@muster/runtime';
import { DataSource } from 'typeorm';

export type CommandState = 'pending' | 'delivered' | 'expired' | 'refused';

export interface RecordedCommand {
  commandId: string;
  agentId: string;
  siteId: string;
  kind: string;
  issuedBy: string;
  issuedAt: Date | null;
  expiresAt: Date | null;
  /** The SignedAgentCommand as it came off the bus (protobuf binary). */
  signed: Uint8Array;
  state: 'pending' | 'refused';
  refusal: string | null;
}

export interface CommandSummary {
  commandId: string;
  agentId: string;
  kind: string;
  issuedBy: string;
  issuedAt: Date | null;
  expiresAt: Date | null;
  state: CommandState;
  refusal: string | null;
  recordedAt: Date;
  deliveredAt: Date | null;
}

/**
 * Commands for agents, as the gateway took them from the bus. The row is the truth: a command is
 * pending until its agent returns a CommandReceipt (delivered) or its expiry passes (expired).
 */
@Injectable()
export class CommandsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Records the command once (by id); false when it was already recorded (a redelivery). */
  async record(c: RecordedCommand): Promise<boolean> {
    const rows = await this.ds.query<{ command_id: string }[]>(
      `INSERT INTO agent_command (command_id, agent_id, site_id, kind, issued_by, issued_at, expires_at, signed, state, refusal)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      [
        c.commandId,
        c.agentId,
        c.siteId,
        c.kind,
        c.issuedBy,
        c.issuedAt,
        c.expiresAt,
        Buffer.from(c.signed),
        c.state,
        c.refusal,
      ],
    );
    return rows.length === 1;
  }

  /** The agent's pending commands that have not expired, oldest first; expired ones become `expired`. */
  async pendingFor(agentId: string): Promise<{ commandId: string; signed: Uint8Array }[]> {
    await this.ds.query(
      `UPDATE agent_command SET state = 'expired'
        WHERE agent_id = $1 AND state = 'pending' AND expires_at <= now()`,
      [agentId],
    );
    const rows = await this.ds.query<{ command_id: string; signed: Buffer }[]>(
      `SELECT command_id, signed FROM agent_command
        WHERE agent_id = $1 AND state = 'pending' AND expires_at > now()
        ORDER BY recorded_at, command_id`,
      [agentId],
    );
    return rows.map((r) => ({ commandId: r.command_id, signed: new Uint8Array(r.signed) }));
  }

  /** The agent has it; true when this receipt changed the state. */
  async markDelivered(agentId: string, commandId: string): Promise<boolean> {
    const rows = updatedRows<{ command_id: string }>(
      await this.ds.query(
        `UPDATE agent_command SET state = 'delivered', delivered_at = now()
        WHERE command_id = $1 AND agent_id = $2 AND state = 'pending' RETURNING command_id`,
        [commandId, agentId],
      ),
    );
    return rows.length === 1;
  }

  /** Pending commands past their expiry become `expired` (any instance may run it). */
  async expireDue(): Promise<number> {
    const rows = updatedRows<{ command_id: string }>(
      await this.ds.query(
        `UPDATE agent_command SET state = 'expired' WHERE state = 'pending' AND expires_at <= now() RETURNING command_id`,
      ),
    );
    return rows.length;
  }

  /** The agent's commands newest first, one page after `after`. */
  async list(
    agentId: string,
    limit: number,
    after?: TimeCursor,
  ): Promise<{ row: CommandSummary; cursor: TimeCursor }[]> {
    const rows = await this.ds.query<
      {
        command_id: string;
        agent_id: string;
        kind: string;
        issued_by: string;
        issued_at: Date | null;
        expires_at: Date | null;
        state: CommandState;
        refusal: string | null;
        recorded_at: Date;
        delivered_at: Date | null;
        at: string;
      }[]
    >(
      `SELECT command_id, agent_id, kind, issued_by, issued_at, expires_at, state, refusal, recorded_at,
              delivered_at, recorded_at::text AS at
         FROM agent_command
        WHERE agent_id = $1 AND ($3::timestamptz IS NULL OR (recorded_at, command_id) < ($3::timestamptz, $4::text))
        ORDER BY recorded_at DESC, command_id DESC LIMIT $2`,
      [agentId, limit, after?.at ?? null, after?.id ?? null],
    );
    return rows.map((r) => ({
      row: {
        commandId: r.command_id,
        agentId: r.agent_id,
        kind: r.kind,
        issuedBy: r.issued_by,
        issuedAt: r.issued_at,
        expiresAt: r.expires_at,
        state: r.state,
        refusal: r.refusal,
        recordedAt: r.recorded_at,
        deliveredAt: r.delivered_at,
      },
      cursor: { at: r.at, id: r.command_id },
    }));
  }
}
