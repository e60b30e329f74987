// `npm start`: the whole platform on this machine. Servers and services run under this one
// process; Ctrl-C (or SIGTERM) stops every one of them.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyPorts } from './port-check.js';
import { REPO_ROOT } from './service-process.js';
import { ServiceSupervisor } from './service-supervisor.js';
import { parseStackArgs, planStack, serviceEnv } from './stack-plan.js';
import { startStackServers, type RunningServers } from './stack-servers.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const options = parseStackArgs(process.argv.slice(2), process.env, REPO_ROOT);
  const plan = planStack(options);
  mkdirSync(plan.logDir, { recursive: true });
  say(`Muster local stack — data and logs under ${plan.home}`);

  const ports: Record<string, number> = { ...plan.servers };
  for (const s of plan.services) ports[s.name] = s.port;
  const busy = await busyPorts(ports);
  if (busy.length > 0) {
    for (const b of busy) say(`✗ port ${b.port} (${b.name}) is already in use by another process`);
    say(
      'Stop whatever holds it (another Muster stack?), or start with --port-offset N to move every port by N.',
    );
    return 2;
  }

  // Filled in as parts start; the stop path stops whatever is there.
  const running: { servers?: RunningServers; supervisor?: ServiceSupervisor } = {};
  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      say(`\n${why}: stopping services, then servers…`);
      await running.supervisor?.stopAll();
      await Promise.allSettled((running.servers?.handles ?? []).reverse().map((s) => s.handle.stop()));
      say('stopped; nothing left running');
    })());
  // `on`, not `once`: npm forwards the terminal's Ctrl-C too, and a second SIGINT must not
  // cut the orderly stop short.
  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.on(signal, () => void stop(signal).then(() => resolve(0)));
  });

  let servers: RunningServers;
  try {
    servers = running.servers = await startStackServers(plan, say);
  } catch (err) {
    say(`✗ ${(err as Error).message}`);
    return 1;
  }
  if (stopping) return stopped;

  const endpoints = servers.endpoints;
  const supervisor = (running.supervisor = new ServiceSupervisor(
    plan,
    (service) => serviceEnv(service, endpoints),
    say,
  ));
  const results = await supervisor.startAll(120_000);
  for (const r of results) say(`${r.ok ? '✓' : '✗'} ${r.name.padEnd(14)} ${r.detail}`);
  if (results.some((r) => !r.ok)) {
    await stop('a service did not become ready');
    return 1;
  }
  const pids = {
    supervisor: process.pid,
    servers: Object.fromEntries(servers.handles.map((s) => [s.name, s.handle.pids])),
    services: Object.fromEntries([...supervisor.processes].map(([name, p]) => [name, p.child.pid])),
  };
  writeFileSync(join(plan.home, 'pids.json'), `${JSON.stringify(pids, null, 2)}\n`);
  say('');
  say('Muster is running. Every service answers /healthz, /readyz and /metrics; logs are in');
  say(`${plan.logDir}. Try: curl -s http://127.0.0.1:${plan.services[1]!.port}/v1/machines`);
  say('Ctrl-C stops everything.');
  say('ready');
  return stopped;
}

process.exit(await main());
