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
  maxDeliver: number;
  ackWaitMs: number;
  maxAckPending: number;
}

export function consumerConfig(spec: DurableConsumerSpec): Partial<ConsumerConfig> {
  return {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    max_deliver: spec.maxDeliver,
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
    max_deliver: spec.maxDeliver,
    ack_wait: config.ack_wait,
    max_ack_pending: spec.maxAckPending,
    filter_subject: spec.filterSubject,
  });
}
