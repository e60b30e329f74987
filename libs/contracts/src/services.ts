import type { MessageContract, QueryContract, StreamName, StreamSpec } from './contract.js';
import { deadLetter } from './dead-letter.js';
import { fleetEvents, fleetEventStreams, webhookDurable } from './fleet-events.js';
import { contracts } from './messages.js';
import { queries } from './queries.js';
import { streams } from './streams.js';

/** The services: the NATS user names and the `runService({ name })` of each. */
export const serviceNames = [
  'discovery',
  'inventory',
  'image-build',
  'artifact-store',
  'boot',
  'scheduler',
  'agent-gateway',
  'api',
  'site-cache',
] as const;
export type ServiceName = (typeof serviceNames)[number];

/** A durable consumer: what it reads and its durable name (also its dead-letter subject). */
export interface ConsumedEvent {
  readonly contract: MessageContract;
  readonly durable: string;
}

/**
 * What a service does with a KV bucket beyond the contracts it produces into it: the bucket's
 * owner creates it; readers get keys and watch it; writers put only the keys that match.
 */
export interface KvGrant {
  /** A `kind: 'kv'` stream of streams.ts. */
  readonly stream: StreamName;
  /** Creates the bucket and raises its limits: exactly one service owns a bucket. */
  readonly owns?: boolean;
  /** Gets any key and watches the bucket. */
  readonly read?: boolean;
  /** Keys it may put, as NATS subject tokens after `$KV.<bucket>.` (`*` and `>` allowed). */
  readonly writeKeys?: readonly string[];
}

/**
 * What every service does with KV, whatever its manifest says: its HTTP edge checks operator API
 * tokens against the API_TOKENS bucket (a watched copy in memory) and records, in batches, when
 * each token was last used (`used.<tokenId>`). Only the api service writes tokens themselves.
 */
export const everyServiceKv: readonly KvGrant[] = [
  { stream: 'KV_API_TOKENS', read: true, writeKeys: ['used.*'] },
];

/**
 * What one service does on the bus, and nothing more: its NATS user's permissions are derived
 * from this (`@muster/bus-auth`), and its `@OnEvent` / `@AnswerQuery` handlers must be declared
 * here or the service refuses to start. Rows marked "roadmap" are declared before their code, so
 * that the permissions of a deployment do not change when the code lands.
 */
export interface BusManifest {
  readonly service: ServiceName;
  readonly produces: readonly MessageContract[];
  readonly consumes: readonly ConsumedEvent[];
  readonly answers: readonly QueryContract[];
  readonly asks: readonly QueryContract[];
  /** KV buckets it owns, reads or writes keys of, besides `everyServiceKv`. */
  readonly kv?: readonly KvGrant[];
  /**
   * Core NATS subjects (patterns) the instances of this service send each other — fire and
   * forget, never a message another service reads. They publish and subscribe on them.
   */
  readonly signals?: readonly string[];
  /**
   * Streams it reads from any position with short-lived ordered consumers whose names it does
   * not choose (the api's server-sent events): never another service's durable.
   */
  readonly tails?: readonly StreamName[];
}

const c = contracts;

export const busManifests: Readonly<Record<ServiceName, BusManifest>> = {
  discovery: {
    service: 'discovery',
    produces: [c.machineDiscovered],
    // Its local copy of the sites' networks, which decide a discovered machine's site.
    consumes: [{ contract: c.siteChanged, durable: 'discovery-site-changed' }],
    answers: [],
    asks: [],
  },
  inventory: {
    service: 'inventory',
    produces: [c.machineUpdated, c.siteChanged, c.groupChanged, c.profileChanged, c.assignmentRuleChanged],
    consumes: [
      { contract: c.machineDiscovered, durable: 'inventory-machine-discovered' },
      // Agents' facts update the machine's hardware; heartbeats (the KV bucket's stream) are
      // folded into last seen and the observed release in batches; a status becomes the
      // machine's last deployment status.
      { contract: c.agentFacts, durable: 'inventory-agent-facts' },
      { contract: c.agentStatus, durable: 'inventory-agent-status' },
      { contract: c.agentHeartbeat, durable: 'inventory-agent-heartbeats' },
    ],
    answers: [queries.getMachine, queries.bindAgent],
    asks: [],
  },
  'image-build': {
    service: 'image-build',
    // Each build's progress and its result, through the outbox.
    produces: [c.imageBuildProgress, c.imageBuildCompleted, c.imageBuildFailed],
    consumes: [],
    answers: [],
    asks: [],
  },
  'artifact-store': {
    service: 'artifact-store',
    // A completed build's outputs become a signed release; machines' and rollouts' releases are
    // kept from garbage collection; site caches are listed from their announcements and asked
    // to pre-stage a release.
    produces: [c.imagePublished, c.siteCachePrefetchRequested],
    consumes: [
      { contract: c.imageBuildCompleted, durable: 'artifact-store-build-completed' },
      { contract: c.siteCacheAnnounced, durable: 'artifact-store-site-caches' },
      { contract: c.machineUpdated, durable: 'artifact-store-machine-updated' },
      { contract: c.rolloutStateChanged, durable: 'artifact-store-rollout-changed' },
    ],
    answers: [],
    asks: [],
  },
  boot: {
    service: 'boot',
    produces: [],
    consumes: [
      { contract: c.machineDiscovered, durable: 'boot-machine-discovered' },
      { contract: c.machineUpdated, durable: 'boot-machine-updated' },
    ],
    answers: [],
    asks: [],
  },
  scheduler: {
    service: 'scheduler',
    // roadmap: rollouts advance on agent status and order agents through commands; a rollout's
    // machines are looked up in inventory.
    produces: [c.rolloutStateChanged, c.deploymentStateChanged, c.agentCommand],
    consumes: [{ contract: c.agentStatus, durable: 'scheduler-agent-status' }],
    answers: [],
    asks: [queries.getMachine],
  },
  'agent-gateway': {
    service: 'agent-gateway',
    // What agents report goes onto the bus; an operator's command (POST
    // /v1/agents/{agentId}/commands) is issued on the same subject the scheduler uses, and every
    // command goes to the agent's connection through the durable.
    produces: [c.agentStatus, c.agentFacts, c.agentHeartbeat, c.agentCommand],
    consumes: [{ contract: c.agentCommand, durable: 'agent-gateway-agent-command' }],
    answers: [],
    // Enrollment binds the agent to its machine; a connecting agent is sent its desired state.
    asks: [queries.bindAgent, queries.getMachine],
    // Which instance holds each agent's connection.
    kv: [{ stream: 'KV_AGENT_PRESENCE', owns: true, read: true, writeKeys: ['site.*.agent.*'] }],
    // `muster.gateway.<instanceId>.deliver` (commands for the agents an instance holds) and
    // `muster.gateway.control` (revocations and superseded connections, to every instance).
    signals: ['muster.gateway.>'],
  },
  api: {
    service: 'api',
    // The operator's own front: API tokens (KV), fleet events over SSE and webhooks.
    produces: [],
    // One durable per fleet event fans it out to the matching webhooks (outbox of deliveries).
    consumes: fleetEvents.map((contract) => ({ contract, durable: webhookDurable(contract) })),
    answers: [],
    asks: [],
    // Each SSE connection reads these from the position it asks for.
    tails: fleetEventStreams,
    // It alone creates and revokes operator tokens.
    kv: [{ stream: 'KV_API_TOKENS', owns: true, read: true, writeKeys: ['token.*'] }],
  },
  'site-cache': {
    service: 'site-cache',
    // One per site, no database: it announces itself (no outbox: the next announcement
    // replaces a lost one) and reads its site's prefetch requests from its own position, kept
    // on its disk — a durable shared by every site's cache would hand one site's request to another.
    produces: [c.siteCacheAnnounced],
    consumes: [],
    answers: [],
    asks: [],
    tails: ['SITE_CACHES'],
  },
};

export class UnknownServiceError extends Error {
  override readonly name = 'UnknownServiceError';
}

/** The manifest of a service by name; an unknown name is a programming error. */
export function busManifest(service: string): BusManifest {
  const manifest = (busManifests as Readonly<Record<string, BusManifest>>)[service];
  if (!manifest) {
    throw new UnknownServiceError(
      `no bus manifest for service ${JSON.stringify(service)} in libs/contracts/src/services.ts (known: ${serviceNames.join(', ')})`,
    );
  }
  return manifest;
}

/**
 * The streams a service touches. `owned`: it writes into them (what it produces, and DEADLETTER
 * when it consumes anything), so it creates them and raises their limits. `read`: it only
 * consumes from them; their producers own them, and the service waits until they exist.
 */
export function manifestStreams(manifest: BusManifest): { owned: StreamSpec[]; read: StreamSpec[] } {
  const owned = new Set<string>(manifest.produces.map((p) => p.stream));
  for (const grant of manifestKv(manifest)) if (grant.owns) owned.add(grant.stream);
  if (manifest.consumes.length > 0) owned.add(deadLetter.stream);
  const read = new Set<string>(
    [...manifest.consumes.map((x) => x.contract.stream), ...(manifest.tails ?? [])].filter(
      (s) => !owned.has(s),
    ),
  );
  return {
    owned: streams.filter((s) => owned.has(s.name)),
    read: streams.filter((s) => read.has(s.name)),
  };
}

/** Where a service's replies arrive (nats.js `inboxPrefix`): no service can read another's. */
export function inboxPrefix(service: ServiceName): string {
  return `_INBOX_${service}`;
}

/**
 * Every KV grant of a service, `everyServiceKv` included, one per bucket: read if any grant
 * reads, owned if any owns, the union of the keys written.
 */
export function manifestKv(manifest: BusManifest): KvGrant[] {
  const merged = new Map<StreamName, { owns: boolean; read: boolean; writeKeys: string[] }>();
  for (const grant of [...everyServiceKv, ...(manifest.kv ?? [])]) {
    const at = merged.get(grant.stream) ?? { owns: false, read: false, writeKeys: [] };
    at.owns ||= grant.owns ?? false;
    at.read ||= grant.read ?? false;
    for (const key of grant.writeKeys ?? []) if (!at.writeKeys.includes(key)) at.writeKeys.push(key);
    merged.set(grant.stream, at);
  }
  return [...merged].map(([stream, g]) => ({ stream, ...g }));
}

/** The KV bucket a `kind: 'kv'` stream holds. */
export function kvBucketOf(stream: StreamName): string {
  const spec = streams.find((s) => s.name === stream);
  if (!spec?.bucket) throw new Error(`${stream} is not a KV bucket in libs/contracts/src/streams.ts`);
  return spec.bucket;
}
