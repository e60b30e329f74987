import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortFree } from '@muster/testing';
import { REPO_ROOT } from '../../tools/stack/service-process.js';
import { planStack, SERVICES } from '../../tools/stack/stack-plan.js';

/** A port offset at which every port of the stack is free right now. */
/** Ports fetch() refuses to connect to (the WHATWG "bad port" list) in the range offsets reach. */
const FETCH_BAD_PORTS = new Set([6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080]);

async function freeOffset(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const offset = 1000 + Math.floor(Math.random() * 40) * 500;
    const plan = planStack({ home: '/unused', portOffset: offset });
    const ports = [...Object.values(plan.servers), ...plan.services.map((s) => s.port), plan.apiPort];
    if (ports.some((p) => FETCH_BAD_PORTS.has(p))) continue;
    if ((await Promise.all(ports.map((p) => isPortFree(p)))).every(Boolean)) return offset;
  }
  throw new Error('no free set of ports for the stack');
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Live processes whose command line names the stack's home (its servers), or whose environment
 * sets one of `servicePorts` (its services and whatever they started): what it left behind.
 */
async function processesUsing(home: string | undefined, servicePorts: number[] = []): Promise<string[]> {
  const found: string[] = [];
  const portSettings = servicePorts.map((p) => `\0MUSTER_HTTP_PORT=${p}\0`);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie holds nothing
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const environ =
      portSettings.length > 0 ? `\0${await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '')}` : '';
    if ((home !== undefined && cmdline.includes(home)) || portSettings.some((s) => environ.includes(s)))
      found.push(`${entry}: ${cmdline.replace(/\0/g, ' ').slice(0, 160)}`);
  }
  return found;
}

let home: string | undefined;
let stackGroup: number | undefined;
const homes: string[] = [];
const stackGroups = new Set<number>();
afterAll(async () => {
  // A failed run must not leave a stack behind: stop it as Ctrl-C would, then remove its home.
  for (const group of [...stackGroups, ...(stackGroup === undefined ? [] : [stackGroup])]) {
    try {
      process.kill(-group, 'SIGINT');
      for (let i = 0; i < 100 && alive(group); i++) await new Promise((r) => setTimeout(r, 200));
    } catch {
      // already gone
    }
  }
  for (const dir of [...homes, ...(home ? [home] : [])]) await rm(dir, { recursive: true, force: true });
});

/** `npm start` in its own process group, as a terminal runs it; its output collected. */
function startStack(dir: string, offset: number) {
  const stack = spawn('npm', ['start', '--', '--home', dir, '--port-offset', String(offset)], {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  stackGroups.add(stack.pid!);
  const run = { output: '', exited: undefined as unknown as Promise<{ code: number | null }> };
  stack.stdout.setEncoding('utf8').on('data', (d: string) => (run.output += d));
  stack.stderr.setEncoding('utf8').on('data', (d: string) => (run.output += d));
  run.exited = new Promise((resolve) => stack.on('exit', (code) => resolve({ code })));
  return { stack, run };
}

describe('the local stack, started as `npm start` starts it', () => {
  it('reaches ready on every service, carries an event end to end, and stops on SIGINT leaving nothing', async () => {
    home = await mkdtemp(join(tmpdir(), 'muster-stack-'));
    const offset = await freeOffset();
    const plan = planStack({ home, portOffset: offset });
    const stack = spawn('npm', ['start', '--', '--home', home, '--port-offset', String(offset)], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, like a job in a terminal: Ctrl-C goes to the whole group.
      detached: true,
    });
    stackGroup = stack.pid;
    let output = '';
    stack.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    stack.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      stack.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const deadline = Date.now() + 240_000;
    while (!/^ready$/m.test(output) && Date.now() < deadline && stack.exitCode === null) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(output, output).toMatch(/^ready$/m);
    for (const part of ['nats', 'postgresql', 'redis', 's3 (radosgw)', ...SERVICES.map((s) => s.name)]) {
      expect(output).toMatch(new RegExp(`^✓ ${part.replace(/[()]/g, '\\$&')}\\s`, 'm'));
    }
    const url = (name: string) => `http://127.0.0.1:${plan.services.find((s) => s.name === name)!.port}`;
    for (const s of SERVICES) expect((await fetch(`${url(s.name)}/readyz`)).status, s.name).toBe(200);

    // The CLI's way in: one base URL and the operator token npm start wrote, readable only by its owner.
    expect((await stat(plan.operatorFile)).mode & 0o777).toBe(0o600);
    const operator = JSON.parse(await readFile(plan.operatorFile, 'utf8')) as { url: string; token: string };
    expect(operator.url).toBe(`http://127.0.0.1:${plan.apiPort}`);
    const base = operator.url;
    const auth = { authorization: `Bearer ${operator.token}` };
    expect((await fetch(`${base}/v1/machines`)).status).toBe(401);

    const siteId = `stack-${randomUUID().slice(0, 8)}`;
    // The server decides a machine's site from its networks; this report comes from here. Sites
    // are inventory's; discovery's copy follows the site.changed event.
    const site = await fetch(`${base}/v1/sites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ siteId, name: siteId, timeZone: 'UTC', networks: ['127.0.0.1/32'] }),
    });
    expect(site.status).toBe(201);
    for (
      let i = 0;
      i < 100 && !(await fetch(`${base}/v1/discovery/site-networks/${siteId}`, { headers: auth })).ok;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const mac = `02:00:00:${randomUUID().slice(0, 2)}:${randomUUID().slice(0, 2)}:01`;
    const created = await fetch(`${base}/v1/discovery/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ macs: [mac], siteId, hardware: { cpu: { cores: 4 } } }),
    });
    expect(created.status).toBe(201);
    const { machineId } = (await created.json()) as { machineId: string };
    let machines: { machineId: string; state: string }[] = [];
    for (let i = 0; i < 100 && machines.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      machines = (
        (await (await fetch(`${base}/v1/machines?site=${siteId}`, { headers: auth })).json()) as {
          machines: typeof machines;
        }
      ).machines;
    }
    expect(machines).toEqual([expect.objectContaining({ machineId, state: 'MACHINE_STATE_DISCOVERED' })]);
    let script = '';
    // Boot knows the machine once its script stops sending it to discovery (it names no machine).
    for (let i = 0; i < 100 && !script.includes('waiting for an assignment'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      script = await (await fetch(`${base}/v1/boot/ipxe?mac=${mac}`)).text();
    }
    expect(script).toContain('Known, waiting for an assignment');
    expect(script).not.toContain(machineId);

    const pids = JSON.parse(await readFile(join(home, 'pids.json'), 'utf8')) as {
      supervisor: number;
      servers: Record<string, number[]>;
      services: Record<string, number>;
    };
    const all = [pids.supervisor, ...Object.values(pids.servers).flat(), ...Object.values(pids.services)];
    expect(all.length).toBeGreaterThanOrEqual(12);
    expect(all.every(alive)).toBe(true);

    process.kill(-stack.pid!, 'SIGINT');
    // npm itself ends by the signal, as in a terminal; the supervisor finishes its orderly stop.
    const npmExit = await exited;
    expect(npmExit.code === 0 || npmExit.signal === 'SIGINT').toBe(true);
    for (let i = 0; i < 300 && !/stopped; nothing left running/.test(output); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(output).toMatch(/stopped; nothing left running/);
    for (let i = 0; i < 50 && alive(pids.supervisor); i++) await new Promise((r) => setTimeout(r, 100));
    stackGroup = undefined;
    expect(all.filter(alive)).toEqual([]);
    expect(await processesUsing(home)).toEqual([]);
  }, 300_000);

  it('stops on SIGINT while its services are still starting, leaving nothing and saying so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'muster-stack-early-'));
    homes.push(dir);
    const plan = planStack({ home: dir, portOffset: await freeOffset() });
    const { stack, run } = startStack(dir, plan.services[0]!.port - SERVICES[0].port);
    // The servers are up and the services have been spawned (each opens its log), but none is
    // ready yet: the stack prints the services' lines only once all of them answer.
    const serviceLogs = async () =>
      (await readdir(plan.logDir).catch(() => [])).filter((f) =>
        SERVICES.some((s) => f.startsWith(`${s.name}-`)),
      );
    for (
      let i = 0;
      i < 1200 && (await serviceLogs()).length < SERVICES.length && stack.exitCode === null;
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(await serviceLogs(), run.output).toHaveLength(SERVICES.length);
    expect(run.output).not.toMatch(/^ready$/m);
    const ports = plan.services.map((s) => s.port);
    // The servers run, and so does a process of every service.
    expect(await processesUsing(dir)).not.toEqual([]);
    for (const port of ports) expect(await processesUsing(undefined, [port]), `port ${port}`).not.toEqual([]);

    process.kill(-stack.pid!, 'SIGINT');
    await run.exited;
    for (let i = 0; i < 300 && !/^(stopped; nothing left running|✗ stopped, but)/m.test(run.output); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(run.output).toMatch(/^stopped; nothing left running$/m);
    // A stop is not reported as services failing to start.
    for (const s of SERVICES) expect(run.output).not.toMatch(new RegExp(`^✗ ${s.name}\\s`, 'm'));
    for (let i = 0; i < 50 && (await processesUsing(dir, ports)).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await processesUsing(dir, ports)).toEqual([]);
    stackGroups.delete(stack.pid!);
  }, 300_000);
});
