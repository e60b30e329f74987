/** What the cache holds of one kind: a chunk or a manifest, by SHA-256. */
export type EntryKind = 'chunk' | 'manifest';

export interface IndexEntry {
  kind: EntryKind;
  sha256: string;
  /** Bytes on disk. */
  bytes: number;
  /** When it was last used (ms since 1970), also kept as the file's mtime for the next start. */
  usedAt: number;
}

const keyOf = (kind: EntryKind, sha256: string) => `${kind}:${sha256}`;

/**
 * The in-memory index of what the disk holds, least recently used first (a Map keeps insertion
 * order; a use moves the entry to the end). Pinned entries are never offered for eviction.
 */
export class LruIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly pins = new Map<string, number>();
  private used = 0;
  private chunks = 0;

  get usedBytes(): number {
    return this.used;
  }

  get chunkCount(): number {
    return this.chunks;
  }

  has(kind: EntryKind, sha256: string): boolean {
    return this.entries.has(keyOf(kind, sha256));
  }

  /** Adds (or refreshes) an entry as the most recently used. */
  add(entry: IndexEntry): void {
    this.remove(entry.kind, entry.sha256);
    this.entries.set(keyOf(entry.kind, entry.sha256), entry);
    this.used += entry.bytes;
    if (entry.kind === 'chunk') this.chunks += 1;
  }

  /** Marks an entry as used now; the entry as it was before, undefined when it is not held. */
  touch(kind: EntryKind, sha256: string, now: number): IndexEntry | undefined {
    const key = keyOf(kind, sha256);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, { ...entry, usedAt: now });
    return entry;
  }

  remove(kind: EntryKind, sha256: string): IndexEntry | undefined {
    const key = keyOf(kind, sha256);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.used -= entry.bytes;
    if (kind === 'chunk') this.chunks -= 1;
    return entry;
  }

  /** The ids held of one kind. */
  ids(kind: EntryKind): string[] {
    return [...this.entries.values()].filter((e) => e.kind === kind).map((e) => e.sha256);
  }

  pin(kind: EntryKind, sha256: string): void {
    const key = keyOf(kind, sha256);
    this.pins.set(key, (this.pins.get(key) ?? 0) + 1);
  }

  unpin(kind: EntryKind, sha256: string): void {
    const key = keyOf(kind, sha256);
    const count = (this.pins.get(key) ?? 0) - 1;
    if (count > 0) this.pins.set(key, count);
    else this.pins.delete(key);
  }

  /**
   * The least recently used unpinned entries whose removal brings the total to `limit` bytes or
   * below once `incoming` more are added; undefined when the unpinned entries are not enough.
   */
  victims(limit: number, incoming: number): IndexEntry[] | undefined {
    let excess = this.used + incoming - limit;
    if (excess <= 0) return [];
    const chosen: IndexEntry[] = [];
    for (const [key, entry] of this.entries) {
      if (this.pins.has(key)) continue;
      chosen.push(entry);
      excess -= entry.bytes;
      if (excess <= 0) return chosen;
    }
    return undefined;
  }
}
