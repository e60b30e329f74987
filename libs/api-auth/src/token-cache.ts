import type { BusConnection, KvBucket, KvEntry, KvWatch } from '@muster/messaging';
import { keyOf, tokenKey, tokensBucket } from './token-bucket.js';
import { decodeRecord, type TokenRecord } from './token-record.js';

export interface CacheLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

interface Held {
  readonly record: TokenRecord;
  readonly seq: number;
}

/** How long a token id the bucket does not hold is not asked for again. */
const NEGATIVE_MS = 5_000;
const MAX_NEGATIVE = 10_000;

/**
 * Every operator token of the API_TOKENS bucket in memory, kept current by watching the bucket:
 * a revocation reaches every instance of every service as soon as the bus delivers it. A token
 * id not (yet) in the copy is read from the bucket once, so a token created a moment ago works
 * at once everywhere. The copy keeps answering while the bus is down.
 */
export class TokenCache {
  private readonly tokens = new Map<string, Held>();
  private readonly lastUsed = new Map<string, string>();
  private readonly missing = new Map<string, number>();
  private readonly bucket: KvBucket;
  private watch: KvWatch | undefined;
  private loaded = false;
  private readonly loadedWaiters: (() => void)[] = [];

  constructor(
    bus: BusConnection,
    private readonly logger?: CacheLogger,
  ) {
    this.bucket = tokensBucket(bus);
  }

  /** Starts watching; returns at once (a bucket that does not exist yet is waited for). */
  start(): this {
    let warned = false;
    this.watch = this.bucket.watch((entry) => this.apply(entry), {
      onLoaded: () => this.markLoaded(),
      onError: (err) => {
        if (warned) return;
        warned = true;
        this.logger?.warn(
          { stream: 'KV_API_TOKENS', err: err.message },
          'cannot watch the API_TOKENS bucket yet (the api service creates it); tokens are read from it one by one',
        );
      },
    });
    return this;
  }

  /** True once the whole bucket has been read. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  whenLoaded(): Promise<void> {
    return this.loaded ? Promise.resolve() : new Promise((resolve) => this.loadedWaiters.push(resolve));
  }

  /** The token's record: from memory, else read once from the bucket; undefined if none. */
  async find(tokenId: string, now = Date.now()): Promise<TokenRecord | undefined> {
    const held = this.tokens.get(tokenId);
    if (held) return held.record;
    const missedAt = this.missing.get(tokenId);
    if (missedAt !== undefined && now - missedAt < NEGATIVE_MS) return undefined;
    const stored = await this.bucket.get(tokenKey(tokenId));
    const record = stored ? decodeRecord(stored.value) : undefined;
    if (!stored || !record || record.tokenId !== tokenId) {
      if (this.missing.size >= MAX_NEGATIVE) this.missing.clear();
      this.missing.set(tokenId, now);
      return undefined;
    }
    this.hold(record, stored.seq);
    return this.tokens.get(tokenId)?.record;
  }

  /** Every token held, by id. */
  all(): TokenRecord[] {
    return [...this.tokens.values()].map((h) => h.record).sort((a, b) => a.tokenId.localeCompare(b.tokenId));
  }

  /** When the token was last used, as recorded by any service (in batches: up to a minute late). */
  lastUsedAt(tokenId: string): string | undefined {
    return this.lastUsed.get(tokenId);
  }

  close(): void {
    this.watch?.stop();
  }

  /** A value this process just wrote: held at once, without waiting for the watch. */
  hold(record: TokenRecord, seq: number): void {
    const held = this.tokens.get(record.tokenId);
    // A read from the bucket may race the watch: the later value wins.
    if (held && held.seq >= seq) return;
    this.tokens.set(record.tokenId, { record, seq });
    this.missing.delete(record.tokenId);
  }

  private apply(entry: KvEntry): void {
    const key = keyOf(entry.key);
    if (!key) return;
    if (entry.deleted) {
      if (key.kind === 'token') this.tokens.delete(key.tokenId);
      else this.lastUsed.delete(key.tokenId);
      return;
    }
    if (key.kind === 'used') {
      const at = new TextDecoder().decode(entry.value);
      if (!Number.isNaN(Date.parse(at)) && at > (this.lastUsed.get(key.tokenId) ?? '')) {
        this.lastUsed.set(key.tokenId, at);
      }
      return;
    }
    const record = decodeRecord(entry.value);
    if (!record || record.tokenId !== key.tokenId) {
      this.logger?.warn({ key: entry.key }, 'API_TOKENS holds a value that is not a token record: ignored');
      return;
    }
    this.hold(record, entry.seq);
  }

  private markLoaded(): void {
    if (this.loaded) return;
    this.loaded = true;
    for (const resolve of this.loadedWaiters.splice(0)) resolve();
  }
}
