import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { StreamSpec } from '@muster/contracts';
import { secondsToNanos } from './internal/nanos.js';

export function streamConfig(spec: StreamSpec, replicas: number): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    description: spec.description,
    subjects: [...spec.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: secondsToNanos(spec.maxAgeSeconds),
    duplicate_window: secondsToNanos(spec.duplicateWindowSeconds),
    num_replicas: replicas,
  };
}

/**
 * Creates each stream or brings it to the declared config. Safe to run from every instance
 * of every service at start: two creators racing both end with the same stream.
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  specs: readonly StreamSpec[],
  replicas: number,
): Promise<void> {
  for (const spec of specs) {
    const config = streamConfig(spec, replicas);
    try {
      await jsm.streams.add(config);
    } catch (err) {
      if (!isAlreadyInUse(err)) throw err;
      await jsm.streams.update(spec.name, config);
    }
  }
}

/** JetStream's `stream name already in use with a different configuration`. */
const STREAM_NAME_IN_USE = 10058;

function isAlreadyInUse(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE;
}
