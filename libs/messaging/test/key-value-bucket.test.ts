import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '@muster/contracts';
import { KeyValueBucket, type BusConnection } from '../src/index.js';
import { ownBus } from './bus-fixture.js';

let fixture: Awaited<ReturnType<typeof ownBus>>;
let bus: BusConnection;
const spec = streams.find((s) => s.name === 'KV_AGENT_PRESENCE')!;

beforeAll(async () => {
  fixture = await ownBus();
  bus = fixture.bus;
});
afterAll(async () => fixture?.close());

describe('KeyValueBucket', () => {
  it('puts, gets the last value with its revision, and deletes', async () => {
    const kv = new KeyValueBucket(bus, spec);
    expect(await kv.get('site.s1.agent.a1')).toBeUndefined();
    const r1 = await kv.put('site.s1.agent.a1', new TextEncoder().encode('one'));
    const r2 = await kv.put('site.s1.agent.a1', new TextEncoder().encode('two'));
    expect(r2).toBeGreaterThan(r1);
    const got = await kv.get('site.s1.agent.a1');
    expect(new TextDecoder().decode(got!.value)).toBe('two');
    expect(got!.revision).toBe(r2);
    expect(await kv.delete('site.s1.agent.a1')).toBe(true);
    expect(await kv.get('site.s1.agent.a1')).toBeUndefined();
  });

  it('refuses a delete at a revision that is no longer the last, keeping the newer value', async () => {
    const kv = new KeyValueBucket(bus, spec);
    const old = await kv.put('site.s1.agent.a2', new TextEncoder().encode('old'));
    await kv.put('site.s1.agent.a2', new TextEncoder().encode('new'));
    expect(await kv.delete('site.s1.agent.a2', old)).toBe(false);
    expect(new TextDecoder().decode((await kv.get('site.s1.agent.a2'))!.value)).toBe('new');
  });

  it('refuses a stream that is not a bucket', () => {
    expect(
      () =>
        new KeyValueBucket(
          bus,
          streams.find((s) => s.kind === 'stream')!,
        ),
    ).toThrow(/not a KV bucket/);
  });
});
