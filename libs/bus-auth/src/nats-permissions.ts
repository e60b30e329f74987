import {
  deadLetter,
  inboxPrefix,
  manifestStreams,
  type BusManifest,
  type ConsumedEvent,
  type StreamSpec,
} from '@muster/contracts';

/** A nats-server `permissions` block: allow lists only (anything not allowed is refused). */
export interface NatsPermissions {
  readonly publish: { readonly allow: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[] };
  /** Lets a query responder reply once to each request's reply subject, and nowhere else. */
  readonly allow_responses: boolean;
}

const API = '$JS.API';

/**
 * Least privilege for one service, derived from its bus manifest and nothing else. The subjects
 * are what nats.js 3.4 sends (read in its source and checked against a real nats-server by
 * test/bus/service-permissions.test.ts):
 *
 * - `jetstreamManager()` asks `$JS.API.INFO` once;
 * - a stream is ensured with `STREAM.INFO`, then `STREAM.CREATE` or `STREAM.UPDATE` (owned
 *   streams only; a stream the service only reads gets `STREAM.INFO`);
 * - a durable is ensured with `CONSUMER.INFO` and created or updated with
 *   `CONSUMER.CREATE.<stream>.<durable>.<filter>` (servers ≥ 2.9; the old
 *   `CONSUMER.DURABLE.CREATE.<stream>.<durable>` form for older ones);
 * - pulling is `CONSUMER.MSG.NEXT.<stream>.<durable>` with replies on the service's inbox, and
 *   ack / nak / working / term publish to `$JS.ACK.<stream>.<durable>.…`;
 * - a JetStream publish and a query are requests whose replies come to the inbox;
 * - a kept KV bucket is written with publishes to `$KV.<bucket>.>` (a put, or a delete marker)
 *   and read with `$JS.API.DIRECT.GET.<stream>` (`.>` for the last-by-subject form) or
 *   `$JS.API.STREAM.MSG.GET.<stream>`;
 * - signals are core NATS subjects the service's own instances publish and subscribe to.
 */
export function natsPermissions(manifest: BusManifest): NatsPermissions {
  const { owned, read } = manifestStreams(manifest);
  const publish = [
    `${API}.INFO`,
    ...manifest.produces.map((c) => c.filter),
    ...manifest.consumes.map((x) => deadLetter.subject(x.durable)),
    ...owned.flatMap((s) => ['INFO', 'CREATE', 'UPDATE'].map((op) => `${API}.STREAM.${op}.${s.name}`)),
    ...read.map((s) => `${API}.STREAM.INFO.${s.name}`),
    ...manifest.consumes.flatMap(consumerSubjects),
    ...manifest.asks.map((q) => q.subject),
    ...(manifest.keeps ?? []).flatMap(keptBucketSubjects),
    ...(manifest.signals ?? []),
  ];
  const subscribe = [
    `${inboxPrefix(manifest.service)}.>`,
    // Only as a member of the query's queue group: no second, silent listener on the requests.
    ...manifest.answers.map((q) => `${q.subject} ${q.name}`),
    ...(manifest.signals ?? []),
  ];
  return {
    publish: { allow: unique(publish) },
    subscribe: { allow: unique(subscribe) },
    allow_responses: manifest.answers.length > 0,
  };
}

function consumerSubjects({ contract, durable }: ConsumedEvent): string[] {
  const at = `${contract.stream}.${durable}`;
  return [
    `${API}.CONSUMER.INFO.${at}`,
    `${API}.CONSUMER.CREATE.${at}`,
    `${API}.CONSUMER.CREATE.${at}.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${at}`,
    `${API}.CONSUMER.MSG.NEXT.${at}`,
    `$JS.ACK.${at}.>`,
  ];
}

function keptBucketSubjects(spec: StreamSpec): string[] {
  return [
    `$KV.${spec.bucket}.>`,
    `${API}.DIRECT.GET.${spec.name}`,
    `${API}.DIRECT.GET.${spec.name}.>`,
    `${API}.STREAM.MSG.GET.${spec.name}`,
  ];
}

function unique(subjects: string[]): string[] {
  return [...new Set(subjects)];
}
