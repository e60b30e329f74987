import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts, streams, type StreamSpec } from '@muster/contracts';
import { BusConnection, ensureStreams } from '../src/index.js';
import { ownBus } from './bus-fixture.js';

let env: Awaited<ReturnType<typeof ownBus>>;
beforeAll(async () => {
  env = await ownBus();
});
afterAll(async () => env?.close());

describe('streams an operator can trust', () => {
  it('are created with a size limit, their storage and discard policy', async () => {
    for (const spec of streams) {
      const { config } = await env.bus.jsm.streams.info(spec.name);
      expect(config.max_bytes, spec.name).toBe(spec.limits.maxBytes);
      expect(config.storage, spec.name).toBe(spec.storage);
      expect(config.discard, spec.name).toBe(spec.discard);
    }
  });

  it('keep what an operator raised across a service restart, and log the drift', async () => {
    const name = 'INVENTORY';
    const before = (await env.bus.jsm.streams.info(name)).config;
    const raised = { max_bytes: before.max_bytes * 2, max_age: 0 };
    await env.bus.jsm.streams.update(name, { ...before, ...raised });

    // A service starts again with the declared defaults.
    const logs: string[] = [];
    const again = await BusConnection.connect({
      servers: [env.server.url],
      name: 'restarted-service',
      streams,
      onStreamLog: (e) => logs.push(`${e.stream} ${e.action} ${e.detail}`),
    });
    await again.close();
    const after = (await env.bus.jsm.streams.info(name)).config;
    expect(after.max_bytes).toBe(raised.max_bytes);
    expect(after.max_age).toBe(0);
    expect(logs.filter((l) => l.startsWith(`${name} drift`)).join('\n')).toMatch(
      /max_bytes.*kept[\s\S]*max_age.*kept/,
    );
  });

  it('take sizes and ages from configuration, and refuse a stream name the service does not know', async () => {
    const name = 'IMAGES';
    const before = (await env.bus.jsm.streams.info(name)).config;
    await ensureStreams(env.bus.jsm, streams, {
      overrides: { [name]: { maxBytes: before.max_bytes + 4096 } },
    });
    expect((await env.bus.jsm.streams.info(name)).config.max_bytes).toBe(before.max_bytes + 4096);
    await expect(
      ensureStreams(env.bus.jsm, streams, { overrides: { INVENTROY: { replicas: 3 } } }),
    ).rejects.toThrow(/MUSTER_NATS_STREAMS names INVENTROY/);
  });

  it('one full stream refuses new messages and keeps them out, while the others accept theirs', async () => {
    const tiny: StreamSpec = {
      ...streams.find((s) => s.name === 'ROLLOUTS')!,
      name: 'ROLLOUTS',
    };
    // Shrink ROLLOUTS to a few hundred bytes on this server (the operator's own doing).
    const live = (await env.bus.jsm.streams.info(tiny.name)).config;
    await env.bus.jsm.streams.update(tiny.name, { ...live, max_bytes: 600 });
    const rolloutSubject = contracts.deploymentStateChanged.subject({ siteId: 's1', machineId: 'm1' });
    let refused: unknown;
    for (let i = 0; i < 20 && !refused; i++) {
      await env.bus.js.publish(rolloutSubject, new Uint8Array(100)).catch((err: unknown) => (refused = err));
    }
    expect(String(refused)).toMatch(/maximum bytes exceeded/i);
    const inventoryAck = await env.bus.js.publish(
      contracts.machineUpdated.subject({ siteId: 's1', machineId: 'm1' }),
      new Uint8Array(100),
    );
    expect(inventoryAck.stream).toBe('INVENTORY');
  });

  it('keep one heartbeat per agent, in memory', async () => {
    const spec = streams.find((s) => s.kind === 'kv')!;
    const subject = contracts.agentHeartbeat.subject({ siteId: 'kv-site', agentId: 'kv-agent' });
    for (let i = 0; i < 5; i++) await env.bus.js.publish(subject, new Uint8Array([i]));
    const info = await env.bus.jsm.streams.info(spec.name, { subjects_filter: subject });
    expect(info.config.storage).toBe('memory');
    expect(info.state.subjects?.[subject]).toBe(1);
    const last = await env.bus.jsm.streams.getMessage(spec.name, { last_by_subj: subject });
    expect([...last!.data]).toEqual([4]);
  });
});
