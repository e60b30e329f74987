import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import type { StreamLimits, StreamSpec } from '@muster/contracts';
import { secondsToNanos } from './internal/nanos.js';

/** Per-stream limits an operator configured; `*` applies to every stream. */
export type StreamLimitOverrides = Readonly<Record<string, Partial<StreamLimits>>>;

export type DeclaredStream = Partial<StreamConfig> & { name: string };

/** The spec's defaults with the configured overrides on top (the stream's own over `*`). */
export function effectiveLimits(spec: StreamSpec, overrides: StreamLimitOverrides = {}): StreamLimits {
  return { ...spec.limits, ...overrides['*'], ...overrides[spec.name] };
}

/** The JetStream configuration a spec declares, with the effective limits. */
export function streamConfig(spec: StreamSpec, limits: StreamLimits = spec.limits): DeclaredStream {
  const config: DeclaredStream = {
    name: spec.name,
    description: spec.description,
    subjects: [...spec.subjects],
    retention: RetentionPolicy.Limits,
    storage: spec.storage === 'memory' ? StorageType.Memory : StorageType.File,
    discard: spec.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
    max_age: secondsToNanos(limits.maxAgeSeconds),
    max_bytes: limits.maxBytes,
    num_replicas: limits.replicas,
    duplicate_window: secondsToNanos(Math.min(spec.duplicateWindowSeconds, limits.maxAgeSeconds || Infinity)),
  };
  if (spec.kind === 'kv') {
    // What a NATS KV bucket is (as `@nats-io/kv` creates it): the last value per key.
    Object.assign(config, {
      max_msgs_per_subject: 1,
      allow_rollup_hdrs: true,
      deny_delete: true,
      allow_direct: true,
    });
  }
  return config;
}

export interface Reconciled {
  /** The configuration to apply, or undefined when the live stream already has enough. */
  update: DeclaredStream | undefined;
  /** Where the live stream differs from the declaration and was left as it is. */
  drift: string[];
  /** What the update raises or adds. */
  changes: string[];
}

/** 0 (or -1 for sizes) means unlimited: the largest value. */
const unlimited = (v: number | undefined): number => (v === undefined || v <= 0 ? Infinity : v);

/**
 * Brings a live stream up to its declaration without lowering anything an operator raised:
 * replicas, size, age and duplicate window only grow; subjects are only added. What is left
 * higher than declared is reported as drift (for the log).
 */
export function reconcileStream(live: StreamConfig, declared: DeclaredStream): Reconciled {
  const drift: string[] = [];
  const changes: string[] = [];
  const next: DeclaredStream = { ...live, name: live.name };
  let changed = false;

  const grow = (key: 'num_replicas' | 'max_bytes' | 'max_age' | 'duplicate_window', unbounded: boolean) => {
    const have = unbounded ? unlimited(live[key]) : (live[key] ?? 0);
    const want = unbounded ? unlimited(declared[key]) : (declared[key] ?? 0);
    if (want > have) {
      next[key] = declared[key]!;
      changes.push(`${key} ${String(live[key])} → ${String(declared[key])}`);
      changed = true;
    } else if (want < have) {
      drift.push(`${key} is ${String(live[key])}, declared ${String(declared[key])}: kept`);
    }
  };
  grow('num_replicas', false);
  grow('max_bytes', true);
  grow('max_age', true);
  grow('duplicate_window', false);

  const missing = (declared.subjects ?? []).filter((s) => !live.subjects?.includes(s));
  if (missing.length > 0) {
    next.subjects = [...(live.subjects ?? []), ...missing];
    changes.push(`subjects + ${missing.join(' ')}`);
    changed = true;
  }
  const extra = (live.subjects ?? []).filter((s) => !declared.subjects?.includes(s));
  if (extra.length > 0) drift.push(`subjects ${extra.join(' ')} not declared: kept`);

  if (declared.description !== undefined && live.description !== declared.description) {
    next.description = declared.description;
    changed = true;
  }
  if (declared.discard !== undefined && live.discard !== declared.discard) {
    drift.push(`discard is ${live.discard}, declared ${declared.discard}: kept`);
  }
  if (declared.storage !== undefined && live.storage !== declared.storage) {
    drift.push(`storage is ${live.storage}, declared ${declared.storage}: a live stream cannot change it`);
  }
  return { update: changed ? next : undefined, drift, changes };
}
