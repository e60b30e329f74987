import type { KvBucket } from '@muster/messaging';
import { usedKey } from './token-bucket.js';
import type { CacheLogger } from './token-cache.js';

/**
 * When each token was last used, written to the bucket in batches (`used.<tokenId>`): at most one
 * write per token per interval and instance, never one per request. A write that fails is kept
 * for the next flush.
 */
export class TokenUseRecorder {
  private readonly pending = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bucket: KvBucket,
    private readonly intervalMs: number,
    private readonly logger?: CacheLogger,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  used(tokenId: string, at: Date): void {
    this.pending.set(tokenId, at.toISOString());
  }

  async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    for (const [tokenId, at] of batch) {
      try {
        await this.bucket.put(usedKey(tokenId), at);
      } catch (err) {
        if (!this.pending.has(tokenId)) this.pending.set(tokenId, at);
        this.logger?.warn(
          { tokenId, err: (err as Error).message },
          'could not record when a token was last used',
        );
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
