import {
  busManifests,
  deadLetter,
  inboxPrefix,
  kvBucketOf,
  manifestKv,
  manifestStreams,
  type BusManifest,
  type ConsumedEvent,
  type KvGrant,
  type StreamName,
} from '@muster/contracts';

/**
 * A nats-server `permissions` block: allow lists (anything not allowed is refused), and one deny
 * list — the other services' durables on a stream this service reads with consumers whose names
 * it does not choose (an allow by name wildcard would otherwise reach them).
 */
export interface NatsPermissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
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
 * - a KV reader gets a key with `DIRECT.GET.<stream>.<subject>` and watches the bucket with an
 *   ordered consumer: `CONSUMER.CREATE.<stream>.<generated name>.<filter>`, `MSG.NEXT` and
 *   `DELETE` of that consumer, whose name it does not choose; a KV writer publishes
 *   `$KV.<bucket>.<key>` for the keys it may write, and no other.
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
    ...manifestKv(manifest).flatMap(kvSubjects),
    ...(manifest.signals ?? []),
    ...(manifest.tails ?? []).flatMap(tailSubjects),
  ];
  const deny = wildcardConsumerStreams(manifest).flatMap((stream) => othersDurables(manifest, stream));
  const subscribe = [
    `${inboxPrefix(manifest.service)}.>`,
    // Only as a member of the query's queue group: no second, silent listener on the requests.
    ...manifest.answers.map((q) => `${q.subject} ${q.name}`),
    ...(manifest.signals ?? []),
  ];
  return {
    publish: { allow: unique(publish), ...(deny.length > 0 ? { deny: unique(deny) } : {}) },
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

function kvSubjects(grant: KvGrant): string[] {
  const stream = grant.stream;
  const read = grant.read
    ? [
        `${API}.STREAM.INFO.${stream}`,
        `${API}.DIRECT.GET.${stream}`,
        `${API}.DIRECT.GET.${stream}.>`,
        `${API}.CONSUMER.CREATE.${stream}.>`,
        `${API}.CONSUMER.INFO.${stream}.*`,
        `${API}.CONSUMER.MSG.NEXT.${stream}.*`,
        `${API}.CONSUMER.DELETE.${stream}.*`,
      ]
    : [];
  const bucket = kvBucketOf(stream);
  return [...read, ...(grant.writeKeys ?? []).map((key) => `$KV.${bucket}.${key}`)];
}

/** Ordered consumers on a stream it tails (server-sent events): create, pull, look up and delete. */
function tailSubjects(stream: StreamName): string[] {
  return [
    `${API}.STREAM.INFO.${stream}`,
    `${API}.CONSUMER.CREATE.${stream}.>`,
    `${API}.CONSUMER.INFO.${stream}.*`,
    `${API}.CONSUMER.MSG.NEXT.${stream}.*`,
    `${API}.CONSUMER.DELETE.${stream}.*`,
  ];
}

/** Streams on which the service may create, pull from and delete consumers of any name. */
function wildcardConsumerStreams(manifest: BusManifest): StreamName[] {
  return [
    ...new Set([
      ...(manifest.tails ?? []),
      ...manifestKv(manifest)
        .filter((g) => g.read)
        .map((g) => g.stream),
    ]),
  ];
}

/** What would reach another service's durable on the stream through the name wildcards. */
function othersDurables(manifest: BusManifest, stream: StreamName): string[] {
  return Object.values(busManifests)
    .filter((other) => other.service !== manifest.service)
    .flatMap((other) => other.consumes.filter((x) => x.contract.stream === stream))
    .flatMap(({ durable }) => {
      const at = `${stream}.${durable}`;
      return [
        `${API}.CONSUMER.CREATE.${at}`,
        `${API}.CONSUMER.CREATE.${at}.>`,
        `${API}.CONSUMER.MSG.NEXT.${at}`,
        `${API}.CONSUMER.DELETE.${at}`,
      ];
    });
}

function unique(subjects: string[]): string[] {
  return [...new Set(subjects)];
}
