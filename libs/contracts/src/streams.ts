import type { StreamSpec } from './contract.js';
import { deadLetter } from './dead-letter.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * JetStream de-duplication window of every stream (by `Nats-Msg-Id` = CloudEvents id). It must
 * cover the longest time a producer retries one message with the same id: the outbox relay
 * backs off to at most 1 h between tries. A redelivery after the window is not caught by
 * JetStream; consumers are idempotent (event id, revision, or (agentId, seq)) for that case.
 */
export const DUPLICATE_WINDOW_SECONDS = 2 * HOUR;

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * Every stream and bucket with its default limits: R1 and about 10 GiB in all, sized for one
 * server beside the other services. Production sets
 * replicas and limits through configuration (`MUSTER_NATS_STREAMS`); a service start creates what
 * is missing and never lowers what an operator raised. Every stream has a size limit, and every
 * stream of facts refuses new messages when full (discard `new`): the producer's outbox keeps
 * them, nothing is dropped, and no stream can take the space of another.
 */
export const streams: readonly StreamSpec[] = [
  {
    name: 'INVENTORY',
    description: 'Machine discovery and record changes',
    kind: 'stream',
    subjects: ['muster.site.*.inventory.>', 'muster.inventory.>'],
    storage: 'file',
    discard: 'new',
    // Long enough for a consumer (CMDB sync, site cache) to be down for weeks and catch up.
    limits: { maxAgeSeconds: 30 * DAY, maxBytes: 2 * GiB, replicas: 1 },
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'IMAGES',
    description: 'Image build progress and results, release publication',
    kind: 'stream',
    subjects: ['muster.image.>'],
    storage: 'file',
    discard: 'new',
    limits: { maxAgeSeconds: 30 * DAY, maxBytes: 1 * GiB, replicas: 1 },
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'ROLLOUTS',
    description: 'Rollout and per-machine deployment state changes',
    kind: 'stream',
    subjects: ['muster.site.*.rollout.>', 'muster.rollout.>'],
    storage: 'file',
    discard: 'new',
    limits: { maxAgeSeconds: 30 * DAY, maxBytes: 1 * GiB, replicas: 1 },
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'AGENT_TELEMETRY',
    description: 'Agent deployment status and facts',
    kind: 'stream',
    // `*` as the last token: the v2 of a kind lands here too.
    subjects: ['muster.site.*.agent.*.status.*', 'muster.site.*.agent.*.facts.*'],
    storage: 'file',
    discard: 'new',
    // Kept for weeks: a scheduler or inventory down over a long weekend (or longer) loses
    // nothing. Heartbeats are not here: they are a last value per agent (KV_AGENT_HEARTBEATS).
    limits: { maxAgeSeconds: 21 * DAY, maxBytes: 4 * GiB, replicas: 1 },
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'AGENT_COMMANDS',
    description: 'Commands to one agent each, delivered by the gateway that holds its connection',
    kind: 'stream',
    subjects: ['muster.site.*.agent.*.command.*'],
    storage: 'file',
    discard: 'new',
    // A site may be cut off for days; a command also carries its own expires_at.
    limits: { maxAgeSeconds: 14 * DAY, maxBytes: 1 * GiB, replicas: 1 },
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'DEADLETTER',
    description: 'Messages a consumer could not process, with the reason in headers',
    kind: 'stream',
    subjects: [deadLetter.filter],
    storage: 'file',
    // Full: the dead-letter publish fails and the message stays in its own stream (never lost).
    discard: 'new',
    // Time for an operator to look, fix and replay.
    limits: { maxAgeSeconds: 30 * DAY, maxBytes: 1 * GiB, replicas: 1 },
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'SITE_CACHES',
    description: 'Site caches announcing themselves, and requests to pre-stage a release at a site',
    kind: 'stream',
    subjects: ['muster.sitecache.>', 'muster.site.*.sitecache.>'],
    storage: 'file',
    discard: 'new',
    // Every cache announces itself each minute: 1,000 caches send about 24 MB an hour (400-byte
    // messages), so six hours fit under the limit. A cache cut off for longer misses a prefetch
    // request; its requester sees no progress in the announcements and asks again.
    limits: { maxAgeSeconds: 6 * HOUR, maxBytes: 256 * MiB, replicas: 1 },
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'KV_AGENT_HEARTBEATS',
    description: 'The last heartbeat of each agent (KV bucket AGENT_HEARTBEATS)',
    kind: 'kv',
    bucket: 'AGENT_HEARTBEATS',
    subjects: [`$KV.AGENT_HEARTBEATS.>`],
    // 7,500 agents beating every minute: in memory, never an fsync per beat. A restart of every
    // server loses only the last beats, which the next minute brings back; last-seen is folded
    // into inventory in batches.
    storage: 'memory',
    discard: 'old',
    // An agent silent for a day drops out of the bucket (inventory keeps its last-seen time).
    limits: { maxAgeSeconds: 1 * DAY, maxBytes: 256 * MiB, replicas: 1 },
    // One value per key; JetStream de-duplication does not apply to superseding values.
    duplicateWindowSeconds: 60,
  },
  {
    name: 'KV_API_TOKENS',
    description:
      'Operator API tokens: a SHA-256 of each secret with its metadata, and when it was last used (KV bucket API_TOKENS)',
    kind: 'kv',
    bucket: 'API_TOKENS',
    subjects: ['$KV.API_TOKENS.>'],
    // A revocation must survive a restart of every server.
    storage: 'file',
    // Full: a new token is refused (the operator sees the error); no token is ever dropped.
    discard: 'new',
    // Tokens expire by their own expiresAt; the bucket keeps them until they are deleted.
    limits: { maxAgeSeconds: 0, maxBytes: 64 * MiB, replicas: 1 },
    duplicateWindowSeconds: 60,
  },
  {
    name: 'KV_AGENT_PRESENCE',
    description: 'Which agent-gateway instance holds each connected agent (KV bucket AGENT_PRESENCE)',
    kind: 'kv',
    bucket: 'AGENT_PRESENCE',
    subjects: [`$KV.AGENT_PRESENCE.>`],
    // Private to agent-gateway: key `site.<siteId>.agent.<agentId>` → {instanceId, connectionId,
    // connectedAt} (JSON). Each instance refreshes its agents' keys every 20 s
    // (MUSTER_GATEWAY_PRESENCE_REFRESH_SECONDS), so an instance that dies without saying
    // goodbye drops out after three missed refreshes.
    storage: 'memory',
    discard: 'old',
    limits: { maxAgeSeconds: 60, maxBytes: 128 * MiB, replicas: 1 },
    duplicateWindowSeconds: 10,
  },
];
