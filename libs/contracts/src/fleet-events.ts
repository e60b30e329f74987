import type { MessageContract, StreamName } from './contract.js';
import { contracts } from './messages.js';
import { allContracts } from './registry.js';

/**
 * The streams whose events other systems receive from the api service (server-sent events at
 * `GET /v1/events` and webhooks): the record of the fleet (INVENTORY), images and releases
 * (IMAGES), rollouts (ROLLOUTS), and from AGENT_TELEMETRY the agents' deployment status only —
 * facts are bulky hardware inventories that land in the machine's record (an
 * `inventory.machine.updated` event) anyway. Commands, heartbeats and dead letters are internal.
 */
export const fleetEventStreams: readonly StreamName[] = [
  'INVENTORY',
  'IMAGES',
  'ROLLOUTS',
  'AGENT_TELEMETRY',
];

const WHOLE_STREAMS: readonly StreamName[] = ['INVENTORY', 'IMAGES', 'ROLLOUTS'];

/** The one list of event contracts published to other systems; a new event of those streams joins it. */
export const fleetEvents: readonly MessageContract[] = allContracts.filter(
  (c) => c.kind === 'event' && (WHOLE_STREAMS.includes(c.stream) || c === contracts.agentStatus),
);

/** The api's durable that fans one fleet event out to the webhooks (one per contract). */
export function webhookDurable(contract: MessageContract): string {
  return `api-webhooks-${contract.name.replaceAll('.', '-')}`;
}
