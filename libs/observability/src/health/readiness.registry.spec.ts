import { describe, expect, it } from 'vitest';

import { ReadinessRegistry } from './readiness.registry.js';

describe('ReadinessRegistry', () => {
  it('is ready with no checks', async () => {
    await expect(new ReadinessRegistry().evaluate()).resolves.toEqual({ ready: true, checks: [] });
  });

  it('is ready only when every check passes, and names each result', async () => {
    const registry = new ReadinessRegistry();
    registry.register('void', () => undefined);
    registry.register('true', () => Promise.resolve(true));
    registry.register('false', () => false);
    registry.register('throws', () => Promise.reject(new Error('connection refused')));
    const report = await registry.evaluate();
    expect(report.ready).toBe(false);
    expect(report.checks.map(({ name, ok, reason }) => ({ name, ok, reason }))).toEqual([
      { name: 'void', ok: true, reason: undefined },
      { name: 'true', ok: true, reason: undefined },
      { name: 'false', ok: false, reason: 'check returned false' },
      { name: 'throws', ok: false, reason: 'connection refused' },
    ]);
  });

  it('turns a check that throws synchronously into a failure', async () => {
    const registry = new ReadinessRegistry();
    registry.register('sync', () => {
      throw new Error('boom');
    });
    const report = await registry.evaluate();
    expect(report.checks[0]).toMatchObject({ ok: false, reason: 'boom' });
  });

  it('fails a hung check after its timeout instead of hanging', async () => {
    const registry = new ReadinessRegistry({ timeoutMs: 50 });
    registry.register('hung', () => new Promise<void>(() => undefined));
    registry.register('quick', () => true, { timeoutMs: 1000 });
    const started = Date.now();
    const report = await registry.evaluate();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report.ready).toBe(false);
    expect(report.checks[0]).toMatchObject({ name: 'hung', ok: false, reason: 'timed out after 50 ms' });
    expect(report.checks[1]).toMatchObject({ name: 'quick', ok: true });
  });

  it('does not start a check again while an earlier run is still pending', async () => {
    const registry = new ReadinessRegistry({ timeoutMs: 20 });
    let calls = 0;
    let finish: (ok: boolean) => void = () => undefined;
    registry.register('slow', () => {
      calls++;
      return new Promise<boolean>((resolve) => (finish = resolve));
    });
    expect((await registry.evaluate()).ready).toBe(false);
    expect((await registry.evaluate()).ready).toBe(false);
    expect(calls).toBe(1);
    finish(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await registry.evaluate()).ready).toBe(false);
    expect(calls).toBe(2);
  });

  it('flips to ready when a check starts passing, and can unregister', async () => {
    const registry = new ReadinessRegistry();
    let connected = false;
    const unregister = registry.register('nats', () => connected);
    expect((await registry.evaluate()).ready).toBe(false);
    connected = true;
    expect((await registry.evaluate()).ready).toBe(true);
    expect(() => registry.register('nats', () => true)).toThrow(/already registered/);
    unregister();
    expect(registry.names()).toEqual([]);
  });

  it('runs one check by name, and fails a name it does not know', async () => {
    const registry = new ReadinessRegistry();
    let up = false;
    registry.register('postgres', () => up);
    registry.register('s3', () => Promise.reject(new Error('not this one')));
    expect(await registry.check('postgres')).toMatchObject({ name: 'postgres', ok: false });
    up = true;
    expect(await registry.check('postgres')).toMatchObject({ name: 'postgres', ok: true });
    expect(await registry.check('redis')).toMatchObject({ ok: false, reason: 'no such check' });
  });

  it('reports not ready once shutting down', async () => {
    const registry = new ReadinessRegistry();
    registry.markShuttingDown();
    const report = await registry.evaluate();
    expect(report).toMatchObject({ ready: false, checks: [{ name: 'shutdown', ok: false }] });
  });
});
