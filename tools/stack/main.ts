// `npm start`: the whole platform on this machine. Servers and services run under this one
// process; Ctrl-C (or SIGTERM) stops every one of them.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { BusConnection } from '@muster/messaging';
import { ensureOperatorFile } from '../api-token/operator-file.js';
import { createApiProxy } from './api-proxy.js';
import { busyPorts } from './port-check.js';
import { groupMembers } from './process-group.js';
import { REPO_ROOT } from './service-process.js';
import { ServiceSupervisor, type Survivor } from './service-supervisor.js';
import { parseStackArgs, planStack, serviceEnv } from './stack-plan.js';
import { startStackServers, type RunningServers } from './stack-servers.js';
import { closingLine } from './stop-report.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Each server process leads its own process group (libs/testing): what is alive in them. */
async function serverSurvivors(handles: RunningServers['handles']): Promise<Survivor[]> {
  const found: Survivor[] = [];
  for (const { name, handle } of handles) {
    const pids = (await Promise.all(handle.pids.map((pid) => groupMembers(pid)))).flat();
    if (pids.length > 0) found.push({ name, pids });
  }
  return found;
}

async function main(): Promise<number> {
  const options = parseStackArgs(process.argv.slice(2), process.env, REPO_ROOT);
  const plan = planStack(options);
  mkdirSync(plan.logDir, { recursive: true });
  say(`Muster local stack — data and logs under ${plan.home}`);

  const ports: Record<string, number> = { ...plan.servers };
  for (const s of plan.services) ports[s.name] = s.port;
  ports['api base URL'] = plan.apiPort;
  const busy = await busyPorts(ports);
  if (busy.length > 0) {
    for (const b of busy) say(`✗ port ${b.port} (${b.name}) is already in use by another process`);
    say(
      'Stop whatever holds it (another Muster stack?), or start with --port-offset N to move every port by N.',
    );
    return 2;
  }

  // Filled in as parts start; the stop path waits for a start under way, then stops it all.
  const running: { servers?: Promise<RunningServers>; supervisor?: ServiceSupervisor; proxy?: Server } = {};
  let stopping: Promise<number> | undefined;
  const stop = (why: string): Promise<number> =>
    (stopping ??= (async () => {
      say(`\n${why}: stopping services, then servers…`);
      running.proxy?.closeAllConnections();
      running.proxy?.close();
      const services = (await running.supervisor?.stopAll()) ?? [];
      const servers = await running.servers?.catch(() => undefined);
      const handles = [...(servers?.handles ?? [])].reverse();
      await Promise.allSettled(handles.map((s) => s.handle.stop()));
      const survivors = [...services, ...(await serverSurvivors(handles))];
      say(closingLine(survivors));
      return survivors.length === 0 ? 0 : 1;
    })());
  // `on`, not `once`: npm forwards the terminal's Ctrl-C too, and a second SIGINT must not
  // cut the orderly stop short.
  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.on(signal, () => void stop(signal).then((code) => resolve(code)));
  });

  let servers: RunningServers;
  try {
    servers = await (running.servers = startStackServers(plan, say));
  } catch (err) {
    // startStackServers has stopped whatever of them did start.
    say(`✗ ${(err as Error).message}`);
    return stopping ? stopped : 1;
  }
  if (stopping) return stopped;

  const endpoints = servers.endpoints;
  const supervisor = (running.supervisor = new ServiceSupervisor(
    plan,
    (service) => serviceEnv(service, endpoints, plan),
    say,
  ));
  const results = await supervisor.startAll(120_000);
  // Stopped during start-up: the services' failures are the stop's doing, not news.
  if (stopping) return stopped;
  for (const r of results) say(`${r.ok ? '✓' : '✗'} ${r.name.padEnd(14)} ${r.detail}`);
  if (results.some((r) => !r.ok)) {
    await stop('a service did not become ready');
    return 1;
  }
  // The one base URL, then the local operator's token for it (kept while valid).
  const proxy = (running.proxy = createApiProxy((name) => {
    const service = plan.services.find((s) => s.name === name);
    return service && { host: '127.0.0.1', port: service.port };
  }));
  proxy.listen(plan.apiPort, '127.0.0.1');
  await once(proxy, 'listening');
  const baseUrl = `http://127.0.0.1:${plan.apiPort}`;
  let operatorNote: string;
  try {
    const admin = await BusConnection.connect({
      servers: [endpoints.natsAdminUrl],
      name: 'npm-start',
      failFast: true,
    });
    try {
      const { created } = await ensureOperatorFile(admin, plan.operatorFile, baseUrl);
      operatorNote = `operator token ${created ? 'created in' : 'kept in'} ${plan.operatorFile}`;
    } finally {
      await admin.close();
    }
  } catch (err) {
    say(`✗ operator token: ${(err as Error).message}`);
    await stop('the local operator token could not be made');
    return 1;
  }
  say(`✓ ${'base URL'.padEnd(14)} ${baseUrl} (every /v1 route; ${operatorNote})`);
  const pids = {
    supervisor: process.pid,
    servers: Object.fromEntries(servers.handles.map((s) => [s.name, s.handle.pids])),
    services: Object.fromEntries([...supervisor.processes].map(([name, p]) => [name, p.child.pid])),
  };
  writeFileSync(join(plan.home, 'pids.json'), `${JSON.stringify(pids, null, 2)}\n`);
  say('');
  say('Muster is running. Every service answers /healthz, /readyz and /metrics; logs are in');
  say(`${plan.logDir}. Operator routes take the token in ${plan.operatorFile}; try:`);
  say(
    `  curl -s -H "authorization: Bearer $(node -p 'require(process.argv[1]).token' ${plan.operatorFile})" ${baseUrl}/v1/machines`,
  );
  say('Ctrl-C stops everything.');
  say('ready');
  return stopped;
}

process.exit(await main());
