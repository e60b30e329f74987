import { randomUUID } from 'node:crypto';
import { type AgentStatusSchema, contracts, deadLetter, headers as H } from '@muster/contracts';
import { DurableConsumer, type BusConnection, type ConsumerOptions } from '../src/index.js';

export { statusEvent as heartbeat } from './bus-fixture.js';

export interface Scope {
  siteId: string;
  agentId: string;
  durable: string;
  filterSubject: string;
}

/** Each test has its own site token, so its consumer sees only its own messages. */
export function scope(): Scope {
  const tag = randomUUID().slice(0, 8);
  const siteId = `site-${tag}`;
  const agentId = `agent-${tag}`;
  return {
    siteId,
    agentId,
    durable: `test-${tag}`,
    filterSubject: contracts.agentStatus.subject({ siteId, agentId }),
  };
}

export type TestConsumerOptions = Omit<
  ConsumerOptions<typeof AgentStatusSchema>,
  'contract' | 'durable' | 'filterSubject'
>;

/** A heartbeat consumer on the scope's own subject, with the test's handler and settings. */
export function startConsumer(
  bus: BusConnection,
  s: Scope,
  options: TestConsumerOptions,
): Promise<DurableConsumer<typeof AgentStatusSchema>> {
  return DurableConsumer.start(bus, {
    contract: contracts.agentStatus,
    durable: s.durable,
    filterSubject: s.filterSubject,
    ...options,
  });
}

export interface StoredDeadLetter {
  seq: number;
  reason: string;
  subject: string;
  originalSequence: number;
  body: Uint8Array;
}

/** The dead letters of one durable, read straight from the stream. */
export async function deadLetters(bus: BusConnection, durable: string): Promise<StoredDeadLetter[]> {
  const stream = await bus.js.streams.get(deadLetter.stream);
  const info = await stream.info();
  const found: StoredDeadLetter[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && seq > 0; seq++) {
    const m = await stream.getMessage({ seq }).catch(() => null);
    if (!m || m.subject !== deadLetter.subject(durable)) continue;
    found.push({
      seq,
      reason: m.header.get(H.deadLetterReason),
      subject: m.header.get(H.deadLetterOriginalSubject),
      originalSequence: Number(m.header.get(H.deadLetterOriginalSequence)),
      body: m.data,
    });
  }
  return found;
}

/** The server's view of a durable: what it still waits an ack for, and how far it is acked. */
export async function consumerState(
  bus: BusConnection,
  durable: string,
): Promise<{ ackPending: number; pending: number; ackFloor: number }> {
  const info = await bus.jsm.consumers.info(contracts.agentStatus.stream, durable);
  return { ackPending: info.num_ack_pending, pending: info.num_pending, ackFloor: info.ack_floor.stream_seq };
}
