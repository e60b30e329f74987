import { Worker } from 'node:worker_threads';
import type { ChunkBatch } from './store-worker.js';

/** Worker threads that compress and write chunk batches; at most two batches queued per worker. */
export class StorePool {
  private readonly workers: { worker: Worker; queued: ((stored: number) => void)[] }[];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./store-worker.ts', import.meta.url));
      const entry = { worker, queued: [] as ((stored: number) => void)[] };
      worker.on('message', (stored: number) => entry.queued.shift()?.(stored));
      return entry;
    });
  }

  /** Hands a batch to the least busy worker, once that one has room; resolves with its stored bytes. */
  async submit(batch: ChunkBatch, onStored: (bytes: number) => void): Promise<void> {
    let w = this.workers.reduce((a, b) => (b.queued.length < a.queued.length ? b : a));
    while (w.queued.length >= 2) {
      await new Promise<void>((resolve) => {
        const first = w.queued[0]!;
        w.queued[0] = (n) => {
          first(n);
          resolve();
        };
      });
      w = this.workers.reduce((a, b) => (b.queued.length < a.queued.length ? b : a));
    }
    const done = new Promise<void>((resolve) =>
      w.queued.push((n) => {
        onStored(n);
        resolve();
      }),
    );
    w.worker.postMessage(batch, [batch.data]);
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  private readonly pending = new Set<Promise<void>>();

  async drain(): Promise<void> {
    await Promise.all(this.pending);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
