import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { millisToNanos } from './internal/nanos.js';

export interface DurableConsumerSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending: number;
}

/**
 * The server never gives up on a message (`max_deliver: -1`): the client counts attempts and
 * terminates a message only after its dead-letter copy is stored, so a failed dead-letter
 * publish cannot leave a message that is never delivered again.
 */
export function consumerConfig(spec: DurableConsumerSpec): Partial<ConsumerConfig> {
  return {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    max_deliver: -1,
    ack_wait: millisToNanos(spec.ackWaitMs),
    max_ack_pending: spec.maxAckPending,
  };
}

/** Creates the durable pull consumer, or updates the settings that may change on a live one. */
export async function ensureDurableConsumer(jsm: JetStreamManager, spec: DurableConsumerSpec): Promise<void> {
  const config = consumerConfig(spec);
  try {
    await jsm.consumers.info(spec.stream, spec.durable);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
    await jsm.consumers.add(spec.stream, config);
    return;
  }
  await jsm.consumers.update(spec.stream, spec.durable, {
    max_deliver: -1,
    ack_wait: config.ack_wait,
    max_ack_pending: spec.maxAckPending,
    filter_subject: spec.filterSubject,
  });
}
