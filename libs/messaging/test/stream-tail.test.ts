import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamTail } from '../src/index.js';
import { ownBus } from './bus-fixture.js';

let env: Awaited<ReturnType<typeof ownBus>>;
const subject = (n: number) => `muster.site.tail-${n % 2}.agent.a1.status.v1`;

beforeAll(async () => {
  env = await ownBus();
  for (let i = 0; i < 100; i++) await env.bus.js.publish(subject(i), new Uint8Array([i]));
});
afterAll(async () => env?.close());

async function ephemeral() {
  return (await env.bus.jsm.consumers.list('AGENT_TELEMETRY').next()).filter((c) => !c.config.durable_name);
}

describe('StreamTail', () => {
  it('reads after a sequence, in order, through its subject filter', async () => {
    const tail = await StreamTail.open(env.bus, {
      stream: 'AGENT_TELEMETRY',
      filterSubject: 'muster.site.tail-1.agent.*.status.*',
      start: { afterSeq: 10 },
    });
    const seen: number[] = [];
    for await (const m of tail.messages()) {
      seen.push(m.seq);
      if (seen.length === 5) break;
    }
    await tail.close();
    expect(seen).toEqual([12, 14, 16, 18, 20]);
  });

  it('pulls one batch at a time, only as its reader asks, and deletes its consumer on close', async () => {
    const tail = await StreamTail.open(env.bus, {
      stream: 'AGENT_TELEMETRY',
      start: { afterSeq: 0 },
      batch: 10,
    });
    const reader = tail.messages();
    expect((await reader.next()).value).toMatchObject({ seq: 1 });
    const [consumer] = await ephemeral();
    // The reader holds back: the server has handed out one batch, not the 100 stored.
    expect(consumer!.delivered.stream_seq).toBeLessThanOrEqual(10);
    expect(consumer!.num_pending).toBeGreaterThanOrEqual(90);
    await tail.close();
    expect(await ephemeral()).toEqual([]);
  });
});
