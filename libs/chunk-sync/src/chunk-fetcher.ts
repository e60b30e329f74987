import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChunkIntegrityError,
  ChunkPackError,
  decompressChunk,
  DeliveryError,
  type DeliveryClient,
} from '@muster/chunks';
import { place, type LocalContext } from './local-reuse.js';
import { batchByStoredBytes, type ChunkGroup } from './sync-plan.js';
import { SyncError } from './sync-types.js';

export interface SourceState {
  name: string;
  client: DeliveryClient;
  /** Unreachable, 5xx, a broken pack or streams cut again and again: not asked again this sync. */
  down: boolean;
}

export interface FetchCounters {
  fetchedBytes: number;
  fetchedStoredBytes: number;
  fetchedChunks: number;
  bySource: Record<string, number>;
  requests: number;
}

export interface FetchContext extends LocalContext {
  sources: SourceState[];
  counters: FetchCounters;
  parallelism: number;
  batchBytes: number;
  retries: number;
  retryDelayMs: number;
  stallTimeoutMs: number;
  /** After each batch (e.g. make what was written durable and note it in the journal). */
  afterBatch: () => Promise<void>;
}

/**
 * Fetches the chunks in batches, `parallelism` requests at once. The first failure stops the
 * other batches, and this returns only once none is writing any more.
 */
export async function fetchChunks(ctx: FetchContext, groups: readonly ChunkGroup[]): Promise<void> {
  const batches = batchByStoredBytes(groups, ctx.batchBytes);
  const stop = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal;
  const batchCtx = { ...ctx, signal };
  let next = 0;
  const worker = async (): Promise<void> => {
    try {
      while (next < batches.length && !signal.aborted) {
        await fetchBatch(batchCtx, batches[next++]!);
        await ctx.afterBatch();
      }
    } catch (error) {
      stop.abort(error);
      throw error;
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(ctx.parallelism, batches.length) }, worker),
  );
  ctx.signal?.throwIfAborted();
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

interface Pending {
  group: ChunkGroup;
  /** The first source index this chunk may still be asked from. */
  from: number;
  /** Why it left the previous source: decides the error when no source is left. */
  why: 'down' | 'missing' | 'corrupt' | undefined;
}

/** One batch through the sources in order, each chunk moving on alone when a source lacks it. */
async function fetchBatch(ctx: FetchContext, batch: readonly ChunkGroup[]): Promise<void> {
  let queue: Pending[] = batch.map((group) => ({ group, from: 0, why: undefined }));
  const corruptOnce = new Set<string>();
  while (queue.length > 0) {
    const at = Math.min(...queue.map((p) => p.from));
    const here = queue.filter((p) => p.from === at);
    queue = queue.filter((p) => p.from !== at);
    const index = ctx.sources.findIndex((s, i) => i >= at && !s.down);
    if (index < 0) throw exhausted(here);
    if (index > at) {
      queue.push(...here.map((p) => ({ ...p, from: index })));
      continue;
    }
    const outcome = await fetchFromSource(
      ctx,
      ctx.sources[index]!,
      here.map((p) => p.group),
    );
    const later = (group: ChunkGroup, why: Pending['why']): Pending => ({ group, from: index + 1, why });
    queue.push(
      ...outcome.moveOn.map((g) => later(g, 'down')),
      ...outcome.missing.map((g) => later(g, 'missing')),
    );
    for (const group of outcome.corrupt) {
      if (corruptOnce.has(group.sha256))
        throw new SyncError('corrupt-chunk', `chunk ${group.sha256} failed verification twice`);
      corruptOnce.add(group.sha256);
      // Once more from the next source still up, or from this one when it is the last.
      const further = ctx.sources.some((s, i) => i > index && !s.down);
      queue.push({ group, from: further ? index + 1 : index, why: 'corrupt' });
    }
  }
}

function exhausted(pending: readonly Pending[]): SyncError {
  const ids = pending.map((p) => p.group.sha256);
  const shown = `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}`;
  if (pending.some((p) => p.why === 'missing'))
    return new SyncError('missing-chunks', `no source holds chunk ${shown}`);
  return new SyncError('no-source', `no source left to fetch chunk ${shown} from`);
}

interface SourceOutcome {
  /** Left for the next source: this one went down. */
  moveOn: ChunkGroup[];
  /** This source does not hold them (404). */
  missing: ChunkGroup[];
  /** Sent, but refused by decompressChunk: never written. */
  corrupt: ChunkGroup[];
}

/** Asks one source for the chunks until it has sent them all, lacks some, or goes down. */
async function fetchFromSource(
  ctx: FetchContext,
  source: SourceState,
  groups: readonly ChunkGroup[],
): Promise<SourceOutcome> {
  const outcome: SourceOutcome = { moveOn: [], missing: [], corrupt: [] };
  let remaining = [...groups];
  let idle = 0;
  while (remaining.length > 0) {
    if (source.down) {
      outcome.moveOn.push(...remaining);
      return outcome;
    }
    const received = new Set<string>();
    const error = await request(ctx, source, remaining, received, outcome.corrupt);
    if (error instanceof DeliveryError && error.reason === 'not-found') {
      const named = new Set(error.missing);
      const missing = named.size > 0 ? remaining.filter((g) => named.has(g.sha256)) : remaining;
      ctx.warn({ kind: 'chunks-missing', source: source.name, chunks: missing.length });
      outcome.missing.push(...missing);
      const moved = new Set(missing);
      remaining = remaining.filter((g) => !moved.has(g));
      continue;
    }
    if (error) {
      // A connection that failed or a 5xx may be a moment's trouble (a socket the server closed
      // as it was reused, a restart): back off and ask again before giving the source up.
      const passing =
        error instanceof DeliveryError && (error.reason === 'unreachable' || error.reason === 'server');
      if (passing && ++idle <= ctx.retries)
        await sleep(ctx.retryDelayMs * 2 ** (idle - 1), undefined, { signal: ctx.signal });
      else markDown(ctx, source, error.message);
      continue;
    }
    const asked = remaining.length;
    remaining = remaining.filter((g) => !received.has(g.sha256));
    if (remaining.length === 0) break;
    ctx.warn({ kind: 'stream-cut', source: source.name, received: received.size, asked });
    // A cut after some records is progress: ask again at once. Nothing new: back off, then give up.
    if (received.size > 0) idle = 0;
    else if (++idle > ctx.retries) markDown(ctx, source, `stream cut ${idle} times with nothing sent`);
    else await sleep(ctx.retryDelayMs * 2 ** (idle - 1), undefined, { signal: ctx.signal });
  }
  return outcome;
}

function markDown(ctx: FetchContext, source: SourceState, error: string): void {
  if (source.down) return;
  source.down = true;
  ctx.warn({ kind: 'source-down', source: source.name, error });
}

/**
 * One chunk-pack request; each record verified, then written wherever the chunk goes. Returns
 * the error that makes the source unusable for these chunks, or undefined when the stream
 * ended (whole or cut: `received` says which chunks came).
 */
async function request(
  ctx: FetchContext,
  source: SourceState,
  groups: readonly ChunkGroup[],
  received: Set<string>,
  corrupt: ChunkGroup[],
): Promise<DeliveryError | ChunkPackError | undefined> {
  const byId = new Map(groups.map((g) => [g.sha256, g]));
  const stall = new AbortController();
  const timer = setTimeout(() => stall.abort(new Error('stalled')), ctx.stallTimeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stall.signal]) : stall.signal;
  ctx.counters.requests += 1;
  try {
    for await (const record of source.client.chunks([...byId.keys()], signal)) {
      timer.refresh();
      const group = byId.get(record.sha256)!;
      received.add(group.sha256);
      ctx.counters.fetchedStoredBytes += record.stored.length;
      ctx.counters.bySource[source.name] = (ctx.counters.bySource[source.name] ?? 0) + record.stored.length;
      let bytes: Buffer;
      try {
        bytes = await decompressChunk(record.stored, group);
      } catch (error) {
        if (!(error instanceof ChunkIntegrityError)) throw error;
        ctx.warn({ kind: 'corrupt-chunk', source: source.name, sha256: group.sha256, error: error.message });
        corrupt.push(group);
        continue;
      }
      ctx.counters.fetchedBytes += bytes.length;
      ctx.counters.fetchedChunks += 1;
      await place(ctx, group, bytes, undefined);
    }
    return undefined;
  } catch (error) {
    ctx.signal?.throwIfAborted();
    if (stall.signal.aborted) return undefined;
    if (error instanceof DeliveryError || error instanceof ChunkPackError) return error;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
