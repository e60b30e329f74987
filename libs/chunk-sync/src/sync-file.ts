import { DeliveryClient, encodeManifest, manifestId } from '@muster/chunks';
import { fetchChunks, type FetchContext, type FetchCounters } from './chunk-fetcher.js';
import { Journal, journalPath } from './journal.js';
import { fillDuplicates, reuseSeeds, scanTarget, type LocalContext } from './local-reuse.js';
import { Placement } from './placement.js';
import { groupChunks } from './sync-plan.js';
import { SyncError, type SyncOptions, type SyncReport } from './sync-types.js';
import { TargetFile } from './target-file.js';

const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
/** Bytes written between journal checkpoints: each costs an fdatasync (~0.1 s on a slow disk). */
const CHECKPOINT_BYTES = 64 * 1024 * 1024;

/**
 * Makes `target` hold exactly the file `manifest` describes: what the target and the seeds
 * already hold (each range hashed) is kept or copied, the rest fetched in chunk packs from the
 * sources in order, every chunk verified before it is written, the whole file verified at the
 * end. Interrupted (abort, crash, failure), it leaves what was written; a rerun resumes.
 */
export async function syncFile(options: SyncOptions): Promise<SyncReport> {
  const { manifest, signal } = options;
  if (options.sources.length === 0) throw new SyncError('invalid-options', 'no source to fetch from');
  const parallelism = options.parallelism ?? 4;
  if (!Number.isSafeInteger(parallelism) || parallelism < 1)
    throw new SyncError('invalid-options', `parallelism ${parallelism} is not a positive integer`);
  signal?.throwIfAborted();

  const groups = groupChunks(manifest);
  const placement = new Placement(manifest);
  const counters: FetchCounters = {
    fetchedBytes: 0,
    fetchedStoredBytes: 0,
    fetchedChunks: 0,
    bySource: {},
    requests: 0,
  };
  const progress = (): void =>
    options.onProgress?.({
      totalBytes: manifest.length,
      reusedBytes: placement.reusedBytes,
      fetchedBytes: counters.fetchedBytes,
      fetchedStoredBytes: counters.fetchedStoredBytes,
      doneBytes: placement.doneBytes,
    });
  const warn = options.onWarning ?? ((): void => undefined);

  const target = await TargetFile.open(options.target, options.targetKind ?? 'auto', manifest.length);
  const path =
    options.journal === false ? undefined : journalPath(target.path, target.isDevice, options.stateDir);
  const journal = path
    ? new Journal(path, manifestId(encodeManifest(manifest)), manifest.chunks.length)
    : undefined;
  const checkpoint = async (): Promise<void> => {
    if (!journal) return;
    await target.handle.datasync();
    // The journal only saves hashing on a resume: failing to write it is no reason to stop.
    await journal.save(placement.goodIndexes()).catch(() => undefined);
  };
  let checkpointed = 0;
  const afterBatch = async (): Promise<void> => {
    if (placement.doneBytes - checkpointed < CHECKPOINT_BYTES) return;
    checkpointed = placement.doneBytes;
    await checkpoint();
  };
  const local: LocalContext = { manifest, groups, placement, target, signal, warn, progress };
  const fetchCtx: FetchContext = {
    ...local,
    sources: options.sources.map((s) => ({ name: s.name, client: new DeliveryClient(s.url), down: false })),
    counters,
    parallelism,
    batchBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
    retries: options.retries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 250,
    stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
    afterBatch,
  };

  let fullDownload = false;
  try {
    const trusted = new Set(journal ? await journal.load() : []);
    await scanTarget(local, trusted, target.initialSize);
    await reuseSeeds(local, options.seeds ?? [], options.chunkSeed);
    await fillDuplicates(local);
    const absent = placement.absent(groups);
    if (placement.reusedBytes === 0 && manifest.length > 0) {
      fullDownload = true;
      const storedBytes = absent.reduce((sum, g) => sum + g.storedLength, 0);
      warn({ kind: 'full-download', bytes: manifest.length, storedBytes });
    }
    await checkpoint();
    await fetchChunks(fetchCtx, absent);
    await target.finish(manifest.length);

    if ((await target.sha256(manifest.length, signal)) !== manifest.sha256) {
      // Every range was hashed unless the journal vouched for it: only then is a second pass worth it.
      if (trusted.size === 0) throw finalMismatch(options.target);
      warn({ kind: 'journal-wrong', path: journal!.path });
      await scanTarget(local, new Set(), undefined);
      await fillDuplicates(local);
      await fetchChunks(fetchCtx, placement.absent(groups));
      if ((await target.sha256(manifest.length, signal)) !== manifest.sha256)
        throw finalMismatch(options.target);
    }
    await target.handle.sync();
    await journal?.remove();
  } catch (error) {
    // After a final mismatch every range was hashed: a journal would only vouch for that again.
    if (error instanceof SyncError && error.reason === 'final-hash-mismatch') await journal?.remove();
    else await checkpoint().catch(() => undefined);
    throw error;
  } finally {
    await target.close();
  }

  const reused = placement.reusedByPath();
  progress();
  return {
    totalBytes: manifest.length,
    reusedBytes: placement.reusedBytes,
    reusedBySeed: reused.byPath,
    fetchedBytes: counters.fetchedBytes,
    fetchedStoredBytes: counters.fetchedStoredBytes,
    bySource: counters.bySource,
    requests: counters.requests,
    chunks: {
      total: manifest.chunks.length,
      distinct: groups.length,
      reused: reused.chunks,
      fetched: counters.fetchedChunks,
    },
    fullDownload,
  };
}

function finalMismatch(target: string): SyncError {
  return new SyncError('final-hash-mismatch', `${target} does not hash to the manifest's SHA-256 after sync`);
}
