import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { streams as catalogue, type StreamSpec } from '@muster/contracts';
import {
  effectiveLimits,
  reconcileStream,
  streamConfig,
  type StreamLimitOverrides,
} from './stream-reconcile.js';

export interface EnsureStreamsOptions {
  /** Sizes, ages and replicas from configuration, by stream name or `*`. */
  overrides?: StreamLimitOverrides;
  /** Told what was created or raised, and where a live stream differs (kept as the operator set it). */
  onLog?: (entry: { stream: string; action: 'created' | 'raised' | 'drift'; detail: string }) => void;
}

export class UnknownStreamError extends Error {
  override readonly name = 'UnknownStreamError';
}

/**
 * Creates each missing stream and raises a live one to what is declared and configured, never
 * lowering what an operator set (replicas, size, age). Safe to run from every instance of every
 * service at start: two creators racing both end with the same stream.
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  specs: readonly StreamSpec[],
  options: EnsureStreamsOptions = {},
): Promise<void> {
  const overrides = options.overrides ?? {};
  // A stream of the catalogue that this service does not write is another service's to size:
  // its setting is not an error here (one MUSTER_NATS_STREAMS may serve every service).
  const known = new Set<string>([...catalogue, ...specs].map((s) => s.name));
  const unknown = Object.keys(overrides).filter((name) => name !== '*' && !known.has(name));
  if (unknown.length > 0) {
    throw new UnknownStreamError(
      `MUSTER_NATS_STREAMS names ${unknown.join(', ')}, which is not a stream (known: ${[...known].join(', ')})`,
    );
  }
  for (const spec of specs) {
    const declared = streamConfig(spec, effectiveLimits(spec, overrides));
    const live = await liveConfig(jsm, spec.name);
    if (!live) {
      try {
        await jsm.streams.add(declared);
        options.onLog?.({ stream: spec.name, action: 'created', detail: describe(declared) });
        continue;
      } catch (err) {
        if (!isAlreadyInUse(err)) throw err;
      }
    }
    const current = live ?? (await liveConfig(jsm, spec.name));
    if (!current) continue;
    const { update, drift, changes } = reconcileStream(current, declared);
    for (const detail of drift) options.onLog?.({ stream: spec.name, action: 'drift', detail });
    if (update) {
      await jsm.streams.update(spec.name, update);
      if (changes.length > 0)
        options.onLog?.({ stream: spec.name, action: 'raised', detail: changes.join(', ') });
    }
  }
}

/** A stream's configuration on the server, or undefined when there is no such stream. */
export async function liveConfig(jsm: JetStreamManager, name: string) {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw err;
  }
}

function describe(c: ReturnType<typeof streamConfig>): string {
  return `R${c.num_replicas} max_bytes=${c.max_bytes} max_age=${(c.max_age ?? 0) / 1e9}s ${c.storage} discard=${c.discard}`;
}

/** JetStream's `stream name already in use with a different configuration`. */
const STREAM_NAME_IN_USE = 10058;

function isAlreadyInUse(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE;
}
