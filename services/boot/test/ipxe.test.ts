import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { getFreePort, startNats, uniqueName, type NatsServerHandle } from '@muster/testing';
import { BootMachinesRepository } from '../src/machines/boot-machines.repository.js';
import { bootService } from '../src/service.entry.js';

const MACS: Record<'unknown' | 'discovered' | 'deployed' | 'retired', string> = {
  unknown: '52:54:00:00:00:01',
  discovered: '52:54:00:00:00:02',
  deployed: '52:54:00:00:00:03',
  retired: '52:54:00:00:00:04',
};

let dir: string;
let nats: NatsServerHandle;
let boot: RunningService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-boot-'));
  // Its own NATS server, so that this test can stop it.
  nats = await startNats({ dataDir: join(dir, 'nats') });
  // The streams boot reads are created by their producers (inventory, discovery); boot waits for them.
  const producer = await BusConnection.connect({ servers: [nats.url], name: 'producers', streams });
  await producer.close();
  const port = await getFreePort();
  boot = await startServiceInProcess(bootService, {
    MUSTER_HTTP_PORT: String(port),
    MUSTER_BOOT_PUBLIC_URL: `http://127.0.0.1:${port}`,
    MUSTER_NATS_URL: nats.url,
    MUSTER_DATABASE_URL: inject('servers').postgres.url,
    MUSTER_DATABASE_SCHEMA: uniqueName('boot'),
  });
  const machines = boot.app.get(BootMachinesRepository);
  await machines.ds.transaction(async (m) => {
    const states = { discovered: 'DISCOVERED', deployed: 'DEPLOYED', retired: 'RETIRED' } as const;
    for (const [i, key] of (['discovered', 'deployed', 'retired'] as const).entries()) {
      const state = states[key];
      const machineId = `0b8a7f1e-4c1d-4a53-9d0e-3c2f7a1b9e1${i}`;
      await machines.recordDiscovered(m, machineId, 'branch-001', [MACS[key]], '1');
      await machines.recordState(m, { machineId, siteId: 'branch-001', state, revision: '2' });
    }
  });
});

afterAll(async () => {
  await boot?.close();
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const script = async (mac: string) => {
  const res = await fetch(`${boot.url}/v1/boot/ipxe?mac=${mac}`);
  expect(res.status).toBe(200);
  return res.text();
};

/** One HTTP/1.1 request written by hand, so that the Host header can hold anything. */
function rawGet(path: string, headerLines: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(boot.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
    });
    socket.write(`GET ${path} HTTP/1.1\r\n${headerLines}Connection: close\r\n\r\n`);
  });
}

/** The URLs a script chains to, with the MAC iPXE would fill in. */
const chainedUrls = (text: string, mac: string) =>
  [...text.matchAll(/^chain (?:--\S+ )*(\S+)/gm)].map((m) => m[1]!.replace('${net0/mac}', mac));

describe('the iPXE endpoint', () => {
  it('builds every URL from the configured base URL, whatever the Host header says', async () => {
    const hostile = [
      'Host: evil||shell\r\n',
      'Host: x;shell\r\n',
      'Host: evil&&shell\r\n',
      'Host: ${shell}\r\n',
      'Host: a b\r\n',
      'Host: 127.0.0.1\r\nX-Forwarded-Host: evil||shell\r\nX-Forwarded-Proto: shell\r\n',
    ];
    for (const mac of Object.values(MACS)) {
      const expected = await script(mac);
      for (const headers of hostile) {
        const res = await rawGet(`/v1/boot/ipxe?mac=${mac}`, headers);
        expect(res.status).toBe(200);
        expect(res.body).toBe(expected);
      }
      // A Host header broken by a bare newline never reaches the application: Node refuses it.
      const broken = await rawGet(`/v1/boot/ipxe?mac=${mac}`, 'Host: evil\nshell\r\n');
      expect(broken.status === 400 || broken.body === expected).toBe(true);
      expect(broken.body).not.toContain('shell');
    }
    const base = new URL(boot.url).origin;
    expect(chainedUrls(await script(MACS.unknown), MACS.unknown).every((u) => u.startsWith(`${base}/`))).toBe(
      true,
    );
  });

  it('tells an unknown machine only to start discovery, and names no machine or site to anyone', async () => {
    const unknown = await script(MACS.unknown);
    expect(unknown).toContain('/v1/boot/discovery.ipxe');
    for (const mac of Object.values(MACS)) {
      const text = await script(mac);
      expect(text).not.toMatch(/branch-001|0b8a7f1e/);
    }
    expect(await script(MACS.deployed)).toContain('sanboot');
    expect(await script(MACS.discovered)).toContain('waiting for an assignment');
  });

  it('chains only to URLs that answer', async () => {
    const seen = new Set<string>();
    const queue = Object.values(MACS).map((mac) => ({ url: `${boot.url}/v1/boot/ipxe?mac=${mac}`, mac }));
    while (queue.length > 0) {
      const { url, mac } = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      const text = await res.text();
      expect(text.startsWith('#!ipxe\n'), url).toBe(true);
      for (const next of chainedUrls(text, mac)) queue.push({ url: next, mac });
    }
    expect([...seen].some((u) => u.includes('/v1/boot/discovery.ipxe'))).toBe(true);
  });

  it('refuses a missing or malformed MAC with a problem naming it', async () => {
    for (const query of ['', '?mac=nope', '?mac=52:54:00:00:00:01&mac=52:54:00:00:00:02']) {
      const res = await fetch(`${boot.url}/v1/boot/ipxe${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await res.json()) as object).toMatchObject({
        'invalid-params': [{ name: 'mac', in: 'query' }],
      });
    }
  });
});

describe('boot without NATS', () => {
  it('keeps answering from its own table and stays ready, checking only PostgreSQL', async () => {
    const before = await script(MACS.deployed);
    await nats.stop();
    expect(await script(MACS.deployed)).toBe(before);
    expect(await script(MACS.unknown)).toContain('discovery.ipxe');
    const ready = await fetch(`${boot.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: { name: string }[] };
    expect(body.checks.map((c) => c.name)).toEqual(['postgres']);
  });
});
