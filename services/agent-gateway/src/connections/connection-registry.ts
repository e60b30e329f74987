import { Injectable } from '@nestjs/common';
import type { SeenAgent } from '../agents/agents.repository.js';
import type { AgentConnection } from './agent-connection.js';

/**
 * The connections this instance holds, one per agent, and what they learned since the last
 * flush to the agent table. Only this instance needs it: which instance holds an agent is in
 * the presence bucket, and the agents' last-seen and last-seq in the database.
 */
@Injectable()
export class ConnectionRegistry {
  private readonly byAgent = new Map<string, AgentConnection>();
  private dirty = new Map<string, SeenAgent>();

  /** Adds the connection; returns the one it replaces (to be told SUPERSEDED). */
  add(connection: AgentConnection): AgentConnection | undefined {
    const previous = this.byAgent.get(connection.agentId);
    this.byAgent.set(connection.agentId, connection);
    return previous;
  }

  /** Removes the connection if it is still the agent's current one; true when it was. */
  remove(connection: AgentConnection): boolean {
    if (this.byAgent.get(connection.agentId) !== connection) return false;
    this.byAgent.delete(connection.agentId);
    return true;
  }

  get(agentId: string): AgentConnection | undefined {
    return this.byAgent.get(agentId);
  }

  all(): IterableIterator<AgentConnection> {
    return this.byAgent.values();
  }

  get size(): number {
    return this.byAgent.size;
  }

  seen(connection: AgentConnection): void {
    this.dirty.set(connection.agentId, {
      agentId: connection.agentId,
      lastSeen: connection.lastSeen,
      lastSeq: connection.lastSeq,
    });
  }

  /** What changed since the last call. */
  takeSeen(): SeenAgent[] {
    const taken = [...this.dirty.values()];
    this.dirty = new Map();
    return taken;
  }

  /** Puts back what a failed flush took, unless newer news came meanwhile. */
  restoreSeen(seen: readonly SeenAgent[]): void {
    for (const s of seen) if (!this.dirty.has(s.agentId)) this.dirty.set(s.agentId, s);
  }
}
