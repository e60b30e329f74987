import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { StreamSpec } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';

/** A value and its revision (the stream sequence that stored it). */
export interface KeyValueEntry {
  readonly value: Uint8Array;
  readonly revision: number;
}

/**
 * A NATS KV bucket declared as a StreamSpec of kind `kv` (created with the service's streams),
 * read and written the way `@nats-io/kv` does — a put is a JetStream publish to
 * `$KV.<bucket>.<key>`, a delete a publish of an empty `KV-Operation: DEL` marker, a read a direct
 * get of the last message on the key — without a second client library. A write may be made
 * conditional on the key's revision, so one writer cannot delete what another wrote since.
 */
export class KeyValueBucket {
  private readonly stream: string;
  private readonly bucket: string;

  constructor(
    private readonly bus: BusConnection,
    spec: StreamSpec,
  ) {
    if (spec.kind !== 'kv' || !spec.bucket) throw new TypeError(`${spec.name} is not a KV bucket`);
    this.stream = spec.name;
    this.bucket = spec.bucket;
  }

  subject(key: string): string {
    return `$KV.${this.bucket}.${key}`;
  }

  /** Stores the value; resolves with its revision once JetStream has it. */
  async put(key: string, value: Uint8Array, timeoutMs = 5_000): Promise<number> {
    const ack = await this.bus.js.publish(this.subject(key), value, { timeout: timeoutMs });
    return ack.seq;
  }

  /** The key's current value; undefined when it was never written, was deleted, or aged out. */
  async get(key: string): Promise<KeyValueEntry | undefined> {
    let stored;
    try {
      stored = await this.bus.jsm.direct.getMessage(this.stream, { last_by_subj: this.subject(key) });
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return undefined;
      throw err;
    }
    if (!stored) return undefined;
    const operation = stored.header?.get('KV-Operation');
    if (operation === 'DEL' || operation === 'PURGE') return undefined;
    return { value: stored.data, revision: stored.seq };
  }

  /**
   * Deletes the key — only if its revision is still `revision` when given. False when another
   * write came first (the key then keeps that write).
   */
  async delete(key: string, revision?: number): Promise<boolean> {
    const h = natsHeaders();
    h.set('KV-Operation', 'DEL');
    try {
      await this.bus.js.publish(this.subject(key), new Uint8Array(), {
        headers: h,
        ...(revision === undefined ? {} : { expect: { lastSubjectSequence: revision } }),
      });
      return true;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence)
        return false;
      throw err;
    }
  }
}
