// The real `muster` entry (bin/muster.mjs, as `npm exec muster` runs it) against inventory and
// the api service started in this process, on a bus of this file's own.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import type { ConfigSchema } from '@muster/config';
import { AgentStatusSchema, contracts, DeploymentPhase, MachineDiscoveredSchema } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { ownBus, until } from '@muster/messaging/testing';
import type { ServiceEntry } from '@muster/runtime';
import { startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { uniqueName } from '@muster/testing';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'cli', 'bin', 'muster.mjs');

async function entry(service: string): Promise<ServiceEntry<ConfigSchema>> {
  const module = (await import(join(ROOT, 'services', service, 'src', 'service.entry.ts'))) as Record<
    string,
    unknown
  >;
  return Object.values(module).find(
    (v) => typeof v === 'object' && v !== null && 'load' in v,
  ) as ServiceEntry<ConfigSchema>;
}

let env: Awaited<ReturnType<typeof ownBus>>;
let inventory: RunningService;
let api: RunningService;
const site = 'cli-site';
const machines = [randomUUID(), randomUUID(), randomUUID()];

/** Runs `muster ARGS` to its end; the token and URL come from the environment, as for a script. */
function muster(args: string[], target: RunningService, extraEnv: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: '/',
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: '/nonexistent',
        MUSTER_URL: target.url,
        MUSTER_TOKEN: target.token,
        ...extraEnv,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  const servers = inject('servers');
  env = await ownBus();
  const common = { MUSTER_NATS_URL: env.server.url, MUSTER_DATABASE_URL: servers.postgres.url };
  inventory = await startServiceInProcess(await entry('inventory'), {
    ...common,
    MUSTER_DATABASE_SCHEMA: uniqueName('inv'),
  });
  api = await startServiceInProcess(await entry('api'), {
    ...common,
    MUSTER_DATABASE_SCHEMA: uniqueName('api'),
  });
  const publisher = new EventPublisher(env.bus, '/muster/discovery');
  for (const [i, machineId] of machines.entries()) {
    await publisher.publish(
      contracts.machineDiscovered,
      { siteId: site, machineId },
      create(MachineDiscoveredSchema, {
        machineId,
        siteId: site,
        identity: { macs: [`52:54:00:00:10:0${i}`] },
        bootMac: `52:54:00:00:10:0${i}`,
        ipAddress: '10.0.0.1',
        discoveredAt: timestampNow(),
        hardware: {},
        revision: 1n,
      }),
    );
  }
});
afterAll(async () => {
  await api?.close();
  await inventory?.close();
  await env?.close();
});

describe('muster against the running services', () => {
  it('machines ls --json --all follows the cursors to every machine; the table shows them', async () => {
    await until(
      async () => {
        const r = await muster(['--json', 'machines', 'ls', '--all'], inventory);
        return r.code === 0 && (JSON.parse(r.stdout) as { machines: unknown[] }).machines.length === 3;
      },
      20_000,
      'inventory to record the machines',
    );
    const paged = await muster(['--json', 'machines', 'ls', '--all', '--limit', '2'], inventory);
    expect(paged.code, paged.stderr).toBe(0);
    const ids = (JSON.parse(paged.stdout) as { machines: { machineId: string }[] }).machines.map(
      (m) => m.machineId,
    );
    expect(ids.sort()).toEqual([...machines].sort());

    const table = await muster(['machines', 'ls', '--limit', '2'], inventory);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^MACHINE +HOSTNAME +SITE +GROUP +PROFILE +STATE/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(site);
    expect(table.stderr).toMatch(/^more: --after \S+ \(or --all\)/);

    const one = await muster(['--json', 'machines', 'get', machines[0]!], inventory);
    expect(JSON.parse(one.stdout)).toMatchObject({ machineId: machines[0], siteId: site });
  });

  it('sites, groups, profiles and rules: created from flags, listed, updated and removed through inventory', async () => {
    const siteId = `cli-${randomUUID().slice(0, 8)}`;
    const created = await muster(
      [
        '--json',
        'sites',
        'create',
        siteId,
        '--name',
        'Branch',
        '--time-zone',
        'Europe/Paris',
        '--network',
        '10.77.0.0/16',
        '--window',
        'sat,sun@02:00+4h',
        '--bandwidth-kbps',
        '2048',
      ],
      inventory,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      siteId,
      timeZone: 'Europe/Paris',
      networks: ['10.77.0.0/16'],
      maintenanceWindows: [expect.objectContaining({ start: '02:00', durationMinutes: 240 })],
    });
    const table = await muster(['sites', 'ls', '--all'], inventory);
    expect(table.stdout).toMatch(new RegExp(`^${siteId} +Branch +Europe/Paris +10\\.77\\.0\\.0/16`, 'm'));
    const renamed = await muster(['--json', 'sites', 'update', siteId, '--name', 'Branch 2'], inventory);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ name: 'Branch 2' });

    expect((await muster(['groups', 'create', 'cli-tills', '--name', 'Tills'], inventory)).code).toBe(0);
    expect(
      (
        await muster(
          ['profiles', 'create', 'cli-till', '--name', 'Till', '--release-channel', 'stable'],
          inventory,
        )
      ).code,
    ).toBe(0);
    const rule = await muster(
      [
        '--json',
        'rules',
        'create',
        '--id',
        'cli-rule',
        '--priority',
        '5',
        '--match-network',
        '10.77.0.0/16',
        '--assign-site',
        siteId,
        '--assign-group',
        'cli-tills',
        '--assign-profile',
        'cli-till',
      ],
      inventory,
    );
    expect(rule.code, rule.stderr).toBe(0);
    expect(JSON.parse(rule.stdout)).toMatchObject({ ruleId: 'cli-rule', assign: { groupId: 'cli-tills' } });
    const rules = await muster(['--json', 'rules', 'ls', '--all'], inventory);
    expect(
      (JSON.parse(rules.stdout) as { rules: { ruleId: string }[] }).rules.map((r) => r.ruleId),
    ).toContain('cli-rule');
    // A site still used by a rule is not removed: the problem is one line and exit 1.
    const refused = await muster(['sites', 'rm', siteId], inventory);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect((await muster(['rules', 'rm', 'cli-rule'], inventory)).code).toBe(0);
    expect((await muster(['sites', 'rm', siteId], inventory)).code).toBe(0);
  });

  it('a refused request is one line on stderr and exit code 1; a bad token says so', async () => {
    const missing = await muster(['machines', 'get', 'not-a-uuid'], inventory);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^muster: 400 .*\n$/);
    const refused = await muster(['machines', 'ls'], inventory, { MUSTER_TOKEN: 'mst_nope' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^muster: 401 /);
  });

  it('finds the local stack’s .muster/operator.json from a sub-directory when nothing else is set', async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'muster-cli-'));
    try {
      await mkdir(join(dir, '.muster'));
      await mkdir(join(dir, 'a', 'b'), { recursive: true });
      await writeFile(
        join(dir, '.muster', 'operator.json'),
        JSON.stringify({ url: inventory.url, token: inventory.token }),
      );
      const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, '--json', 'machines', 'ls'], {
          cwd: join(dir, 'a', 'b'),
          env: { PATH: process.env['PATH'] ?? '', HOME: dir },
        });
        let stdout = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.on('close', (code) => resolve({ code, stdout }));
      });
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { machines: unknown[] }).machines).toHaveLength(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tokens create shows the token once; ls lists it; revoke ends it', async () => {
    const created = await muster(
      ['--json', 'tokens', 'create', '--name', 'cli-test', '--expires-in-days', '1'],
      api,
    );
    expect(created.code, created.stderr).toBe(0);
    const { tokenId, token } = JSON.parse(created.stdout) as { tokenId: string; token: string };
    expect(token).toEqual(expect.any(String));
    // The new token works for the CLI itself.
    const listed = await muster(['tokens', 'ls', '--all'], api, { MUSTER_TOKEN: token });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${tokenId.slice(0, 20)}.*cli-test +active`, 'm'));
    const revoked = await muster(['tokens', 'revoke', tokenId], api);
    expect(revoked.stdout.trim()).toBe(`revoked token ${tokenId}`);
    const after = await muster(['--json', 'tokens', 'ls', '--all'], api);
    const row = (JSON.parse(after.stdout) as { tokens: { tokenId: string; state: string }[] }).tokens.find(
      (t) => t.tokenId === tokenId,
    );
    expect(row?.state).toBe('revoked');
  });

  it('events tail resumes after its server went away with Last-Event-ID: the missed event once, nothing twice', async () => {
    const port = String(40_000 + Math.floor(Math.random() * 20_000));
    const env2 = {
      MUSTER_NATS_URL: env.server.url,
      MUSTER_DATABASE_URL: inject('servers').postgres.url,
      MUSTER_DATABASE_SCHEMA: uniqueName('api'),
      MUSTER_HTTP_PORT: port,
    };
    let server = await startServiceInProcess(await entry('api'), env2);
    const child = spawn(
      process.execPath,
      [BIN, '--json', 'events', 'tail', '--types', 'io.muster.agent.status.v1'],
      {
        cwd: '/',
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: '/nonexistent',
          MUSTER_URL: server.url,
          MUSTER_TOKEN: server.token,
        },
      },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const ids = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: string }).id);
    const status = async () => {
      const id = randomUUID();
      await new EventPublisher(env.bus, '/muster/agent-gateway').publish(
        contracts.agentStatus,
        { siteId: site, agentId: 'a1' },
        create(AgentStatusSchema, {
          agentId: 'a1',
          seq: BigInt(Date.now()),
          deploymentId: randomUUID(),
          phase: DeploymentPhase.DOWNLOADING,
          at: timestampNow(),
        }),
        { id },
      );
      return id;
    };
    try {
      await until(
        async () =>
          (await env.bus.jsm.consumers.list('AGENT_TELEMETRY').next()).some((c) => !c.config.durable_name),
        15_000,
        'the tail',
      );
      const first = await status();
      await until(() => ids().length === 1, 15_000, 'the first event');
      await server.close(); // ends the stream; the tail retries
      const missed = await status();
      server = await startServiceInProcess(await entry('api'), env2);
      await until(() => ids().length === 2, 30_000, 'the missed event');
      await new Promise((r) => setTimeout(r, 500));
      expect(ids()).toEqual([first, missed]);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.on('close', resolve));
      await server.close();
    }
  });

  it('events tail prints the fleet’s events as they happen, filtered, one JSON line each', async () => {
    const child = spawn(
      process.execPath,
      [BIN, '--json', 'events', 'tail', '--types', 'io.muster.inventory.machine.*', '--site', site],
      {
        cwd: '/',
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: '/nonexistent',
          MUSTER_URL: api.url,
          MUSTER_TOKEN: api.token,
        },
      },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    try {
      // Once the tail listens, a new discovery makes inventory emit machine.updated.
      await until(
        async () =>
          (await env.bus.jsm.consumers.list('INVENTORY').next()).some((c) => !c.config.durable_name),
        15_000,
        'the tail',
      );
      const machineId = randomUUID();
      await new EventPublisher(env.bus, '/muster/discovery').publish(
        contracts.machineDiscovered,
        { siteId: site, machineId },
        create(MachineDiscoveredSchema, {
          machineId,
          siteId: site,
          identity: { macs: ['52:54:00:00:10:09'] },
          bootMac: '52:54:00:00:10:09',
          ipAddress: '10.0.0.9',
          discoveredAt: timestampNow(),
          hardware: {},
          revision: 1n,
        }),
      );
      await until(() => stdout.split('\n').filter(Boolean).length >= 2, 20_000, 'discovered and updated');
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; sseId: string; data: { machineId: string } });
      expect(lines.map((l) => l.type).sort()).toEqual([
        'io.muster.inventory.machine.discovered.v1',
        'io.muster.inventory.machine.updated.v1',
      ]);
      expect(lines.every((l) => l.data.machineId === machineId)).toBe(true);
      expect(lines[0]!.sseId).toMatch(/^INVENTORY:\d+$/);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.on('close', resolve));
    }
  });
});
