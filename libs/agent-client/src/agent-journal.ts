import { type AgentState, type AgentStateStore } from './agent-state.js';
import { Outbox, type OutboxEntry } from './outbox.js';

/**
 * The agent's durable memory over a store: one seq allocator shared by heartbeat, status and
 * facts, the outbox of unacknowledged reports, and the commands already run. Every change that
 * must survive a crash is saved before its effect leaves the agent (a seq before its report is
 * sent, a command id before it runs); saves are coalesced, one write at a time.
 */
export class AgentJournal {
  private writing: Promise<void> | undefined;
  private dirty = false;

  private constructor(
    private readonly store: AgentStateStore,
    private seq: bigint,
    private readonly outbox: Outbox,
    private readonly ran: Map<string, number>,
    private readonly clock: () => number,
  ) {}

  static async open(
    store: AgentStateStore,
    options: { outboxCapacity?: number; clock?: () => number } = {},
  ): Promise<AgentJournal> {
    const state = await store.load();
    const outbox = new Outbox(options.outboxCapacity ?? 1_000);
    // A state saved with a larger outbox keeps all of its reports: none is dropped on a restart.
    for (const entry of state.pending) {
      if (!outbox.hasRoom()) break;
      outbox.add(entry);
    }
    return new AgentJournal(
      store,
      state.seq,
      outbox,
      new Map(Object.entries(state.ranCommands)),
      options.clock ?? Date.now,
    );
  }

  /** The last seq allocated (0 before the first report). */
  get lastSeq(): bigint {
    return this.seq;
  }

  hasRoom(): boolean {
    return this.outbox.hasRoom();
  }

  /**
   * Allocates the next seq, builds the report's frame with it and keeps it in the outbox;
   * resolves once that is saved. Throws OutboxFullError (allocating nothing) when full.
   */
  async append(build: (seq: bigint) => Uint8Array): Promise<OutboxEntry> {
    const seq = this.seq + 1n;
    const entry = { seq, frame: build(seq) };
    this.outbox.add(entry);
    this.seq = seq;
    await this.persist();
    return entry;
  }

  /** Unacknowledged reports, lowest seq first. */
  pending(): OutboxEntry[] {
    return this.outbox.list();
  }

  /** Acknowledged or refused: the report leaves the outbox. */
  settle(seq: bigint): Promise<boolean> {
    const settled = this.outbox.settle(seq);
    return settled ? this.persist().then(() => true) : Promise.resolve(false);
  }

  /** Everything at or below `seq` was taken by the gateway. */
  async settleThrough(seq: bigint): Promise<bigint[]> {
    const settled = this.outbox.settleThrough(seq);
    // A gateway that took more than we remember (state restored from an old backup) must not
    // make us reuse seqs it already holds: they would be taken for resends and dropped.
    const raised = seq > this.seq;
    if (raised) this.seq = seq;
    if (settled.length > 0 || raised) await this.persist();
    return settled;
  }

  hasRun(commandId: string): boolean {
    return this.ran.has(commandId);
  }

  /** Records a command as run, saved before it runs; ids are forgotten once their command expired. */
  async recordRun(commandId: string, expiresAtMs: number): Promise<void> {
    const now = this.clock();
    for (const [id, expires] of this.ran) if (expires <= now) this.ran.delete(id);
    this.ran.set(commandId, expiresAtMs);
    await this.persist();
  }

  private snapshot(): AgentState {
    return { seq: this.seq, pending: this.outbox.list(), ranCommands: Object.fromEntries(this.ran) };
  }

  private persist(): Promise<void> {
    this.dirty = true;
    this.writing ??= this.flush().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async flush(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      await this.store.save(this.snapshot());
    }
  }
}
