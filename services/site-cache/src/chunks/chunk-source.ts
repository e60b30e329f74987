import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChunkPackError } from '@muster/chunks';
import { OriginClient, OriginUnavailableError } from '../origin/origin-client.js';
import { CacheStats } from '../status/cache-stats.js';
import { DiskStore } from '../store/disk-store.js';
import { ChunkRefusedError, ChunkVerifier } from './chunk-verifier.js';

/** A chunk ready to send: its stored frame and its uncompressed length. */
export interface HeldChunk {
  stored: Buffer;
  length: number;
}

interface Deferred {
  promise: Promise<HeldChunk>;
  resolve(chunk: HeldChunk): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (chunk: HeldChunk) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<HeldChunk>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Awaited later, or never when the response was cut first: never an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export interface ManyOptions {
  /** A prefetch, not a machine: not counted as hits or misses. */
  prefetch?: boolean;
}

/**
 * Chunks from the disk, or read through from the origin. Every chunk is verified before it is
 * stored or sent (a disk copy once per process, so a file damaged while the cache was down is
 * caught). Concurrent misses of one chunk share one origin fetch; the misses of one request go
 * to the origin as one chunk pack.
 */
@Injectable()
export class ChunkSource {
  private readonly logger = new Logger('ChunkSource');
  private readonly inflight = new Map<string, Promise<HeldChunk>>();
  private readonly verified = new Set<string>();

  constructor(
    @Inject(DiskStore) private readonly disk: DiskStore,
    @Inject(OriginClient) private readonly origin: OriginClient,
    @Inject(ChunkVerifier) private readonly verifier: ChunkVerifier,
    @Inject(CacheStats) private readonly stats: CacheStats,
  ) {}

  /** One chunk; throws OriginNotFoundError, OriginUnavailableError or ChunkRefusedError. */
  async one(sha256: string): Promise<HeldChunk> {
    const [entry] = await this.many([sha256], {}, true);
    return entry!;
  }

  /**
   * A promise per id, in order. Resolves once the origin has answered for the missing ones (its
   * 404 naming them, or its unavailability, throws here, before anything is sent).
   */
  async many(
    ids: readonly string[],
    options: ManyOptions = {},
    single = false,
  ): Promise<Promise<HeldChunk>[]> {
    const missing: string[] = [];
    const entries = ids.map((id) => {
      const joined = this.inflight.get(id);
      if (joined) return this.counted(joined, options, true);
      if (this.disk.has('chunk', id)) return this.counted(this.fromDisk(id), options, true);
      missing.push(id);
      return undefined;
    });
    if (missing.length > 0) {
      const fetched = await this.fromOrigin(missing, single);
      for (const [i, id] of ids.entries())
        if (!entries[i]) entries[i] = this.counted(fetched.get(id)!, options, false);
    }
    return entries as Promise<HeldChunk>[];
  }

  private counted(entry: Promise<HeldChunk>, options: ManyOptions, hit: boolean): Promise<HeldChunk> {
    if (options.prefetch) return entry;
    // A chunk another request is already fetching costs the origin nothing more: a hit.
    if (hit)
      void entry.then(
        (c) => this.stats.hit(c.stored.length),
        () => {},
      );
    else this.stats.miss();
    return entry;
  }

  private fromDisk(id: string): Promise<HeldChunk> {
    const read = (async (): Promise<HeldChunk> => {
      const stored = await this.disk.read('chunk', id);
      if (stored) {
        try {
          const length = await this.verifier.verify(id, stored);
          this.verified.add(id);
          return { stored, length };
        } catch (error) {
          if (!(error instanceof ChunkRefusedError)) throw error;
          this.logger.warn(`dropping a damaged copy on disk: ${error.message}`);
          await this.disk.drop('chunk', id);
        }
      }
      // Evicted or damaged meanwhile: read it through again.
      return (await this.fromOrigin([id], true)).get(id)!;
    })();
    if (!this.verified.has(id)) {
      this.inflight.set(id, read);
      void read.finally(() => this.inflight.get(id) === read && this.inflight.delete(id)).catch(() => {});
    }
    return read;
  }

  private async fromOrigin(
    ids: readonly string[],
    single: boolean,
  ): Promise<Map<string, Promise<HeldChunk>>> {
    const waiting = new Map(ids.map((id) => [id, deferred()]));
    for (const [id, d] of waiting) this.inflight.set(id, d.promise);
    const settle = (id: string) =>
      this.inflight.get(id) === waiting.get(id)!.promise && this.inflight.delete(id);
    try {
      if (single) await this.fetchSingle(ids[0]!, waiting.get(ids[0]!)!);
      else {
        const records = await this.origin.pack(ids);
        void this.receive(records, waiting);
      }
    } catch (error) {
      for (const [id, d] of waiting) {
        d.reject(error);
        settle(id);
      }
      throw error;
    }
    for (const [id, d] of waiting) void d.promise.finally(() => settle(id)).catch(() => {});
    return new Map([...waiting].map(([id, d]) => [id, d.promise]));
  }

  private async fetchSingle(id: string, d: Deferred): Promise<void> {
    const { stored, length } = await this.origin.chunk(id);
    d.resolve(await this.keep(id, stored, length));
  }

  /**
   * Records of one pack, verified and kept as they arrive. What never came (a cut stream) is
   * asked for once more in one pack; what still does not come is refused to its waiters.
   */
  private async receive(
    records: AsyncGenerator<{ sha256: string; stored: Buffer }>,
    waiting: Map<string, Deferred>,
    again = true,
  ): Promise<void> {
    const done = new Set<string>();
    try {
      for await (const record of records) {
        done.add(record.sha256);
        const d = waiting.get(record.sha256)!;
        await this.keep(record.sha256, record.stored).then(
          (c) => d.resolve(c),
          (e: unknown) => d.reject(e),
        );
      }
    } catch (error) {
      if (error instanceof ChunkPackError) this.stats.refused('unexpected-chunk');
      this.logger.warn(`chunk pack from the origin ended: ${(error as Error).message}`);
    }
    const rest = new Map([...waiting].filter(([id]) => !done.has(id)));
    if (rest.size === 0) return;
    try {
      if (!again) throw new OriginUnavailableError(`the origin's chunk pack stopped short twice`);
      await this.receive(await this.origin.pack([...rest.keys()]), rest, false);
    } catch (error) {
      for (const d of rest.values()) d.reject(error);
    }
  }

  private async keep(id: string, stored: Buffer, lengthHint?: number): Promise<HeldChunk> {
    const length = await this.verifier.verify(id, stored, lengthHint);
    this.verified.add(id);
    if (!(await this.disk.write('chunk', id, stored)))
      this.logger.warn(`chunk ${id} served but not kept: the disk is full of pinned chunks`);
    return { stored, length };
  }
}
