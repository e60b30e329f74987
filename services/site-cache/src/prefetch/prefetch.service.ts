import { Inject, Injectable, Logger } from '@nestjs/common';
import { distinctChunks, isSha256Hex } from '@muster/chunks';
import { ChunkSource } from '../chunks/chunk-source.js';
import { DocumentSource } from '../documents/document-source.js';
import { ManifestSource } from '../manifests/manifest-source.js';
import { SITE_CACHE_SETTINGS, type SiteCacheSettings } from '../site-cache.config.js';
import { DiskStore } from '../store/disk-store.js';

export interface PrefetchProgress {
  releaseId: string;
  state: 'running' | 'done' | 'failed';
  files: number;
  chunks: number;
  /** Chunks already held when the prefetch began. */
  held: number;
  fetched: number;
  failed: number;
  fetchedBytes: number;
  startedAt: string;
  finishedAt?: string;
  error?: string;
}

/** The manifests a signed release document names (unverified: the hashes are checked on fetch). */
function manifestIds(document: Buffer): string[] {
  const files = (JSON.parse(document.toString('utf8')) as { signed?: { files?: unknown } }).signed?.files;
  if (!files || typeof files !== 'object') throw new Error('the release document names no files');
  return Object.values(files as Record<string, { manifest?: { sha256?: unknown } }>).map((f) => {
    const id = f.manifest?.sha256;
    if (!isSha256Hex(id)) throw new Error('a file of the release names no manifest');
    return id;
  });
}

/**
 * Pre-stages a release: its document, each file's manifest, then every chunk not held, asked of
 * the origin in batches with bounded parallelism. Its chunks are pinned while it runs, so
 * eviction never removes what it is staging. One prefetch per release at a time.
 */
@Injectable()
export class PrefetchService {
  private readonly logger = new Logger('Prefetch');
  private readonly runs = new Map<string, PrefetchProgress>();

  constructor(
    @Inject(DocumentSource) private readonly documents: DocumentSource,
    @Inject(ManifestSource) private readonly manifests: ManifestSource,
    @Inject(ChunkSource) private readonly chunks: ChunkSource,
    @Inject(DiskStore) private readonly disk: DiskStore,
    @Inject(SITE_CACHE_SETTINGS) private readonly settings: SiteCacheSettings,
  ) {}

  progress(releaseId: string): PrefetchProgress | undefined {
    return this.runs.get(releaseId);
  }

  /** Starts (or returns the running) prefetch of a release; `done` resolves when it ends. */
  start(releaseId: string): { progress: PrefetchProgress; done: Promise<void> } {
    const running = this.runs.get(releaseId);
    if (running?.state === 'running') return { progress: running, done: Promise.resolve() };
    const progress: PrefetchProgress = {
      releaseId,
      state: 'running',
      files: 0,
      chunks: 0,
      held: 0,
      fetched: 0,
      failed: 0,
      fetchedBytes: 0,
      startedAt: new Date().toISOString(),
    };
    this.runs.set(releaseId, progress);
    const done = this.run(progress).then(
      () => {
        progress.state = progress.failed > 0 ? 'failed' : 'done';
        if (progress.failed > 0) progress.error = `${progress.failed} chunks could not be fetched`;
      },
      (error: unknown) => {
        progress.state = 'failed';
        progress.error = (error as Error).message;
        this.logger.warn(`prefetch of release ${releaseId} failed: ${progress.error}`);
      },
    );
    void done.finally(() => (progress.finishedAt = new Date().toISOString()));
    return { progress, done: done.then(() => undefined) };
  }

  private async run(progress: PrefetchProgress): Promise<void> {
    const document = await this.documents.release(progress.releaseId);
    if (document.status !== 200) throw new Error(`the origin answered ${document.status} for its document`);
    const ids = manifestIds(document.body);
    progress.files = ids.length;
    const wanted = new Map<string, true>();
    for (const id of ids)
      for (const c of distinctChunks(await this.manifests.parsed(id))) wanted.set(c.sha256, true);
    const all = [...wanted.keys()];
    progress.chunks = all.length;
    for (const id of all) this.disk.index.pin('chunk', id);
    try {
      const missing = all.filter((id) => !this.disk.has('chunk', id));
      progress.held = all.length - missing.length;
      const batches: string[][] = [];
      for (let i = 0; i < missing.length; i += this.settings.prefetchBatch)
        batches.push(missing.slice(i, i + this.settings.prefetchBatch));
      const worker = async () => {
        for (let batch = batches.shift(); batch; batch = batches.shift())
          await this.fetchBatch(batch, progress);
      };
      await Promise.all(Array.from({ length: this.settings.prefetchParallelism }, worker));
    } finally {
      for (const id of all) this.disk.index.unpin('chunk', id);
    }
  }

  private async fetchBatch(batch: string[], progress: PrefetchProgress): Promise<void> {
    let entries;
    try {
      entries = await this.chunks.many(batch, { prefetch: true });
    } catch (error) {
      progress.failed += batch.length;
      this.logger.warn(`prefetch of ${batch.length} chunks failed: ${(error as Error).message}`);
      return;
    }
    for (const entry of entries) {
      try {
        progress.fetchedBytes += (await entry).stored.length;
        progress.fetched += 1;
      } catch {
        progress.failed += 1;
      }
    }
  }
}
