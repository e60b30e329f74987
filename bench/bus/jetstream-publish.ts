import { randomBytes } from 'node:crypto';
import type { BusConnection } from '@muster/messaging';

/**
 * The peer figure: bare JetStream acknowledged publishes of a payload the size of ours,
 * `inFlight` at a time, no encoding, no validation, no consumer.
 */
export async function measureJetStreamPublish(
  bus: BusConnection,
  subject: string,
  count: number,
  payloadBytes: number,
  inFlight: number,
): Promise<number> {
  const payload = randomBytes(payloadBytes);
  const started = performance.now();
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      const i = next++;
      await bus.js.publish(subject, payload, { msgID: `peer-${i}` });
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  return count / ((performance.now() - started) / 1000);
}
