/** The outbox holds `capacity` unacknowledged reports already; the caller must wait or drop. */
export class OutboxFullError extends Error {
  override readonly name = 'OutboxFullError';
  constructor(readonly capacity: number) {
    super(`${capacity} reports are waiting for acknowledgement; no room for another`);
  }
}

export interface OutboxEntry {
  readonly seq: bigint;
  /** The encoded AgentFrame, sent again byte for byte after a reconnect. */
  readonly frame: Uint8Array;
}

/**
 * Reports sent and not yet acknowledged, in seq order, bounded. A report leaves only when the
 * gateway acknowledges or refuses its seq (or its Welcome says it already took it), so a
 * connection lost between send and ack loses nothing: everything still here is resent.
 */
export class Outbox {
  private readonly entries = new Map<bigint, OutboxEntry>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('outbox capacity must be ≥ 1');
  }

  get size(): number {
    return this.entries.size;
  }

  hasRoom(): boolean {
    return this.entries.size < this.capacity;
  }

  /** Adds a report; seqs must increase (one allocator per agent). */
  add(entry: OutboxEntry): void {
    if (!this.hasRoom()) throw new OutboxFullError(this.capacity);
    const last = this.last();
    if (last !== undefined && entry.seq <= last) {
      throw new RangeError(`outbox seq ${entry.seq} is not above the last one (${last})`);
    }
    this.entries.set(entry.seq, entry);
  }

  /** Removes one report (acknowledged or refused); false when it was not waiting. */
  settle(seq: bigint): boolean {
    return this.entries.delete(seq);
  }

  /** Removes every report at or below `seq` (the gateway took them all); returns their seqs. */
  settleThrough(seq: bigint): bigint[] {
    const settled: bigint[] = [];
    for (const s of this.entries.keys()) {
      if (s > seq) break;
      settled.push(s);
    }
    for (const s of settled) this.entries.delete(s);
    return settled;
  }

  /** Waiting reports, lowest seq first. */
  list(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  private last(): bigint | undefined {
    let last: bigint | undefined;
    for (const s of this.entries.keys()) last = s;
    return last;
  }
}
