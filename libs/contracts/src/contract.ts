import type { DescMessage } from '@bufbuild/protobuf';

/** JetStream streams, one per domain, and the KV buckets. Their subjects never overlap. */
export type StreamName =
  | 'INVENTORY'
  | 'IMAGES'
  | 'ROLLOUTS'
  | 'AGENT_TELEMETRY'
  | 'AGENT_COMMANDS'
  | 'DEADLETTER'
  | 'SITE_CACHES'
  | 'KV_AGENT_HEARTBEATS'
  | 'KV_API_TOKENS'
  | 'KV_AGENT_PRESENCE';

export interface StreamLimits {
  /** How long a message is kept, in seconds (0 = for ever, bounded by maxBytes). */
  readonly maxAgeSeconds: number;
  /** Size limit in bytes; every stream has one, so no stream can fill the server's store. */
  readonly maxBytes: number;
  /** Copies kept in the cluster: 1 on a single server, 3 in production. */
  readonly replicas: number;
}

export interface StreamSpec {
  readonly name: StreamName;
  readonly description: string;
  readonly subjects: readonly string[];
  /**
   * `stream`: an event log. `kv`: a NATS KV bucket (a stream named `KV_<bucket>` holding the
   * last value per key), for state where only the latest value matters.
   */
  readonly kind: 'stream' | 'kv';
  /** KV bucket name (`kind: 'kv'` only): the stream name without `KV_`. */
  readonly bucket?: string;
  /** `file` survives a server restart; `memory` never touches the disk. */
  readonly storage: 'file' | 'memory';
  /**
   * What a full stream does with a new message: `new` refuses it (the producer keeps it and
   * retries: nothing is lost), `old` drops the oldest (only for values that supersede each other).
   */
  readonly discard: 'new' | 'old';
  /** Defaults, overridden by configuration (`MUSTER_NATS_STREAMS`); never lowered on a live stream. */
  readonly limits: StreamLimits;
  /** JetStream de-duplication window: must cover the longest producer retry. */
  readonly duplicateWindowSeconds: number;
}

/**
 * `event`: a fact, kept in a stream. `command`: an order to one agent, kept in a stream until
 * delivered or expired. `state`: the latest value of something (a KV bucket key), superseded by
 * the next one.
 */
export type MessageKind = 'event' | 'command' | 'state';

/**
 * One row of the contracts table: a protobuf message, the subject it travels on, its
 * CloudEvents type and the stream that keeps it. Subject tokens in `{braces}` are filled per
 * message (a site id, an agent id) so that a permission can be scoped to one site or agent.
 */
export interface MessageContract<S extends DescMessage = DescMessage, T extends string = string> {
  /** Stable short name, also the key in the table: `inventory.machine.discovered.v1`. */
  readonly name: string;
  /** CloudEvents `type`: `io.muster.inventory.machine.discovered.v1`. */
  readonly type: string;
  readonly kind: MessageKind;
  readonly schema: S;
  readonly stream: StreamName;
  /** e.g. `muster.site.{siteId}.inventory.machine.{machineId}.discovered.v1`. */
  readonly subjectTemplate: string;
  readonly tokens: readonly T[];
  /**
   * The field that orders this message's events per entity (ADR 3): a consumer applies an event
   * only if this value is above the one it holds for the entity. `once`: one event per entity.
   */
  readonly orderedBy: 'revision' | 'seq' | 'once';
  /** The wildcard subject that matches every instance: tokens become `*`. */
  readonly filter: string;
  subject(params: Readonly<Record<T, string>>): string;
  /** A subject pattern: the given tokens filled (and checked), the others `*`. */
  pattern(params: Readonly<Partial<Record<T, string>>>): string;
}

/** A request/reply query on core NATS (not persisted). */
export interface QueryContract<Req extends DescMessage = DescMessage, Res extends DescMessage = DescMessage> {
  readonly name: string;
  readonly type: string;
  readonly subject: string;
  readonly request: Req;
  readonly response: Res;
}

const TOKEN = /\{([a-zA-Z]+)\}/g;
/** A subject token: no dots, wildcards or white space, so it cannot widen a permission. */
export const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

export class InvalidSubjectTokenError extends Error {
  override readonly name = 'InvalidSubjectTokenError';
}

export function defineMessage<S extends DescMessage, const T extends string = never>(spec: {
  name: string;
  kind: MessageKind;
  schema: S;
  stream: StreamName;
  subject: string;
  orderedBy: 'revision' | 'seq' | 'once';
}): MessageContract<S, T> {
  const tokens = [...spec.subject.matchAll(TOKEN)].map((m) => m[1] as T);
  return Object.freeze({
    name: spec.name,
    type: `io.muster.${spec.name}`,
    kind: spec.kind,
    schema: spec.schema,
    stream: spec.stream,
    orderedBy: spec.orderedBy,
    subjectTemplate: spec.subject,
    tokens,
    filter: spec.subject.replace(TOKEN, '*'),
    subject(params: Readonly<Record<T, string>>): string {
      return fill(spec.name, spec.subject, params, false);
    },
    pattern(params: Readonly<Partial<Record<T, string>>>): string {
      return fill(spec.name, spec.subject, params, true);
    },
  });
}

function fill(name: string, template: string, params: object, wildcards: boolean): string {
  return template.replace(TOKEN, (_, key: string) => {
    const value = (params as Record<string, string | undefined>)[key];
    if (value === undefined && wildcards) return '*';
    if (value === undefined || !SAFE_TOKEN.test(value)) {
      throw new InvalidSubjectTokenError(
        `subject token ${key}=${JSON.stringify(value)} for ${name} must match ${SAFE_TOKEN.source}`,
      );
    }
    return value;
  });
}

export function defineQuery<Req extends DescMessage, Res extends DescMessage>(spec: {
  name: string;
  subject: string;
  request: Req;
  response: Res;
}): QueryContract<Req, Res> {
  return Object.freeze({ ...spec, type: `io.muster.${spec.name}` });
}
