import type { StreamSpec } from './contract.js';
import { deadLetter } from './dead-letter.js';
import { contracts } from './messages.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * JetStream de-duplication window of every stream (by `Nats-Msg-Id` = CloudEvents id). It must
 * cover the longest time a producer retries one message with the same id: the outbox relay
 * backs off to at most 1 h between tries. A redelivery after the window is not caught by
 * JetStream; consumers are idempotent (event id, revision, or (agentId, seq)) for that case.
 */
export const DUPLICATE_WINDOW_SECONDS = 2 * HOUR;

export const streams: readonly StreamSpec[] = [
  {
    name: 'INVENTORY',
    description: 'Machine discovery and record changes, per site',
    subjects: ['muster.inventory.>'],
    // Long enough for a consumer (CMDB sync, site cache) to be down for weeks and catch up.
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'IMAGES',
    description: 'Image build progress and results, release publication',
    subjects: ['muster.image.>'],
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'ROLLOUTS',
    description: 'Rollout and per-machine deployment state changes',
    subjects: ['muster.rollout.>'],
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'AGENT_TELEMETRY',
    description: 'Agent heartbeats, deployment status and facts',
    subjects: [contracts.agentHeartbeat.filter, contracts.agentStatus.filter, contracts.agentFacts.filter],
    // High rate (7,500 agents × 1 heartbeat/min ≈ 10.8 M messages/day): kept one day. Each
    // heartbeat supersedes the last, and facts and status are folded into inventory and the
    // scheduler as they arrive.
    maxAgeSeconds: 1 * DAY,
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'AGENT_COMMANDS',
    description: 'Commands to one agent each, delivered by the gateway that holds its connection',
    subjects: [contracts.agentCommand.filter],
    // A site may be cut off for days; a command also carries its own expires_at.
    maxAgeSeconds: 7 * DAY,
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
  {
    name: 'DEADLETTER',
    description: 'Messages a consumer could not process, with the reason in headers',
    subjects: [deadLetter.filter],
    // Time for an operator to look, fix and replay.
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: DUPLICATE_WINDOW_SECONDS,
  },
];
