import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { StreamSpec } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';

/** One key's value, or its deletion, with the stream sequence that orders them. */
export interface KvEntry {
  readonly key: string;
  readonly value: Uint8Array;
  readonly seq: number;
  readonly deleted: boolean;
}

export interface KvWatch {
  stop(): void;
}

export interface KvWatchOptions {
  /** Keys to watch, as a subject pattern after `$KV.<bucket>.` (default every key). */
  readonly keys?: string;
  /** Called once the last value of every key present at the start has been delivered. */
  readonly onLoaded?: () => void;
  /** Called when the bucket cannot be watched (yet); the watch retries every `retryMs`. */
  readonly onError?: (err: Error) => void;
  readonly retryMs?: number;
}

/**
 * A NATS KV bucket (a `kind: 'kv'` stream of the contracts) through the JetStream API, as
 * `@nats-io/kv` lays it out: key `k` is subject `$KV.<bucket>.k`, the last message per subject
 * is its value, a `KV-Operation: DEL|PURGE` header deletes it.
 */
export class KvBucket {
  private readonly bucket: string;

  constructor(
    private readonly bus: BusConnection,
    private readonly spec: StreamSpec,
  ) {
    if (spec.kind !== 'kv' || !spec.bucket) throw new Error(`${spec.name} is not a KV bucket`);
    this.bucket = spec.bucket;
  }

  subject(key: string): string {
    return `$KV.${this.bucket}.${key}`;
  }

  /** The key's value, or undefined when it has none (never set, or deleted). */
  async get(key: string): Promise<KvEntry | undefined> {
    const stored = await this.bus.jsm.direct.getMessage(this.spec.name, { last_by_subj: this.subject(key) });
    if (!stored) return undefined;
    const operation = stored.header?.get('KV-Operation');
    if (operation === 'DEL' || operation === 'PURGE') return undefined;
    return { key, value: stored.data, seq: stored.seq, deleted: false };
  }

  /** Sets the key; with `expectSeq` only over that value (0: only if the key never had one). */
  async put(key: string, value: Uint8Array | string, expectSeq?: number): Promise<number> {
    const ack = await this.bus.js.publish(
      this.subject(key),
      value,
      expectSeq === undefined ? {} : { expect: { lastSubjectSequence: expectSeq } },
    );
    return ack.seq;
  }

  /**
   * Delivers the last value of every key, then every change, until stopped. An ordered consumer
   * (re-created by the client after a gap or a server restart); a bucket that does not exist yet
   * is waited for.
   */
  watch(onEntry: (entry: KvEntry) => void, options: KvWatchOptions = {}): KvWatch {
    let stopped = false;
    let stopCurrent: (() => void) | undefined;
    const loop = async () => {
      while (!stopped) {
        try {
          await this.watchOnce(
            onEntry,
            options,
            (stop) => (stopCurrent = stop),
            () => stopped,
          );
        } catch (err) {
          if (stopped) return;
          options.onError?.(err as Error);
          await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 2_000).unref());
        }
      }
    };
    void loop();
    return {
      stop: () => {
        stopped = true;
        stopCurrent?.();
      },
    };
  }

  private async watchOnce(
    onEntry: (entry: KvEntry) => void,
    options: KvWatchOptions,
    setStop: (stop: () => void) => void,
    isStopped: () => boolean,
  ): Promise<void> {
    const prefix = `$KV.${this.bucket}.`;
    const consumer = await this.bus.js.consumers.get(this.spec.name, {
      filter_subjects: `${prefix}${options.keys ?? '>'}`,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    let loaded = false;
    const markLoaded = () => {
      if (!loaded) {
        loaded = true;
        options.onLoaded?.();
      }
    };
    if ((await this.bus.jsm.streams.info(this.spec.name)).state.messages === 0) markLoaded();
    const messages = await consumer.consume();
    setStop(() => void messages.stop());
    if (isStopped()) messages.stop();
    for await (const m of messages) {
      onEntry(entryOf(m, prefix));
      if (m.info.pending === 0) markLoaded();
    }
  }
}

function entryOf(m: JsMsg, prefix: string): KvEntry {
  const operation = m.headers?.get('KV-Operation');
  return {
    key: m.subject.slice(prefix.length),
    value: m.data,
    seq: m.seq,
    deleted: operation === 'DEL' || operation === 'PURGE',
  };
}
