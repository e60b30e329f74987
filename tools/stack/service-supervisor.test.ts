// The supervisor stops each service's whole process group — a helper that ignores SIGTERM
// included — whether the service is running, still starting, or crashed and being restarted.
// The services here are stand-ins (test/stubborn-service.ts) run exactly as the stack runs one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '@muster/messaging/testing';
import { getFreePort } from '@muster/testing';
import { groupMembers, signalGroup } from './process-group.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';
import { ServiceSupervisor } from './service-supervisor.js';
import { planStack } from './stack-plan.js';

const STUBBORN = join(import.meta.dirname, 'test', 'stubborn-service.ts');

const launched: ServiceProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  // A failed test must not leave its stand-ins behind.
  for (const p of launched.splice(0)) if (p.pgid !== undefined) signalGroup(p.pgid, 'SIGKILL');
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function supervise(mode: 'ready' | 'starting' | 'crash') {
  const home = await mkdtemp(join(tmpdir(), 'muster-supervisor-'));
  dirs.push(home);
  const port = await getFreePort();
  const plan = { ...planStack({ home, portOffset: 0 }), logDir: home };
  plan.services = [{ name: 'discovery', port, needs: [] }];
  const said: string[] = [];
  const mine: ServiceProcess[] = [];
  const supervisor = new ServiceSupervisor(
    plan,
    () => ({ STUBBORN_MODE: mode }),
    (line) => said.push(line),
    (service, env, logDir) => {
      const p = startServiceProcess(service.name, service.port, env, logDir, {
        ownProcessGroup: true,
        entry: STUBBORN,
      });
      launched.push(p);
      mine.push(p);
      return p;
    },
  );
  return { supervisor, instances: mine, said };
}

/** The pids of the SIGTERM-ignoring helpers the stand-ins have started so far (from their log). */
async function helpers(p: ServiceProcess): Promise<number[]> {
  return [...(await p.log()).matchAll(/^helper (\d+) ignores SIGTERM$/gm)].map((m) => Number(m[1]));
}

describe('ServiceSupervisor.stopAll', () => {
  it('stops a running service with its whole process group, SIGKILLing a helper that ignores SIGTERM', async () => {
    const { supervisor, instances } = await supervise('ready');
    expect(await supervisor.startAll(60_000)).toEqual([expect.objectContaining({ ok: true })]);
    const [service] = instances;
    const [helper] = await helpers(service!);
    const group = (await groupMembers(service!.pgid!)).sort();
    expect(group).toEqual([service!.child.pid!, helper!].sort());
    // Before the stop, both are reported as what would survive it.
    const before = await supervisor.survivors();
    expect(before.map((s) => ({ ...s, pids: [...s.pids].sort() }))).toEqual([
      { name: 'discovery', pids: group },
    ]);

    expect(await supervisor.stopAll(1_000)).toEqual([]);
    expect(await groupMembers(service!.pgid!)).toEqual([]);
    // The service itself took the SIGTERM and exited cleanly; only the helper needed SIGKILL.
    expect(await service!.exited).toEqual({ code: 0, signal: null });
  });

  it('stops a service that is still starting, leaving nothing of it running', async () => {
    const { supervisor, instances } = await supervise('starting');
    const results = supervisor.startAll(60_000);
    await until(async () => instances.length === 1 && (await helpers(instances[0]!)).length === 1);
    const pgid = instances[0]!.pgid!;
    expect(await groupMembers(pgid)).toHaveLength(2);

    expect(await supervisor.stopAll(1_000)).toEqual([]);
    expect(await groupMembers(pgid)).toEqual([]);
    expect(await results).toEqual([expect.objectContaining({ ok: false })]);
  });

  it('stops a service that crashed and is being restarted: every instance’s group is gone', async () => {
    const { supervisor, instances, said } = await supervise('crash');
    void supervisor.startAll(60_000);
    // The second instance has started its helper: the first crashed and was restarted.
    await until(async () => instances.length >= 2 && (await helpers(instances[1]!)).length >= 2, 60_000);
    expect(said.some((line) => line.startsWith('! discovery exited (code 1); restarting'))).toBe(true);

    expect(await supervisor.stopAll(1_000)).toEqual([]);
    for (const p of instances) expect(await groupMembers(p.pgid!), `instance ${p.pgid}`).toEqual([]);
  });
});
