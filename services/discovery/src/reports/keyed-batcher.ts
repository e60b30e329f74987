/** What processing did with one item of a batch. */
export type BatchResult<O> = { ok: O } | { error: unknown } | { again: true };

interface Entry<I, O> {
  item: I;
  keys: readonly string[];
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Groups items that arrive while earlier ones are being processed into batches, so that a
 * burst costs one transaction per batch rather than per item. A batch never holds two items
 * that share a key (they are decided one after the other, in arrival order); at most
 * `maxConcurrent` batches run at once. If a batch fails as a whole, each of its items is
 * processed again on its own, so one bad item fails only itself. An item that processing
 * answers with `again` goes back to the front of the queue.
 */
export class KeyedBatcher<I, O> {
  private queue: Entry<I, O>[] = [];
  private running = 0;

  constructor(
    private readonly process: (items: readonly I[]) => Promise<BatchResult<O>[]>,
    private readonly options: {
      maxBatch: number;
      maxConcurrent: number;
      keysOf: (item: I) => readonly string[];
    },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, keys: this.options.keysOf(item), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrent && this.queue.length > 0) {
      const batch = this.take();
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** The first items of the queue, up to a batch, skipping any that shares a key with one taken. */
  private take(): Entry<I, O>[] {
    const taken: Entry<I, O>[] = [];
    const rest: Entry<I, O>[] = [];
    const keys = new Set<string>();
    for (const entry of this.queue) {
      if (taken.length < this.options.maxBatch && !entry.keys.some((k) => keys.has(k))) {
        taken.push(entry);
        for (const k of entry.keys) keys.add(k);
      } else {
        rest.push(entry);
      }
    }
    this.queue = rest;
    return taken;
  }

  private async run(batch: Entry<I, O>[]): Promise<void> {
    let results: BatchResult<O>[];
    try {
      results = await this.process(batch.map((e) => e.item));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const entry of batch) await this.run([entry]);
      return;
    }
    const again: Entry<I, O>[] = [];
    results.forEach((result, i) => {
      const entry = batch[i]!;
      if ('ok' in result) entry.resolve(result.ok);
      else if ('error' in result) entry.reject(result.error);
      else again.push(entry);
    });
    this.queue.unshift(...again);
  }
}
