import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '../src/index.js';
import { NatsWire } from './support/nats-wire.js';

let dir: string;
let server: NatsServerHandle;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-nats-restart-'));
  server = await startNats({ dataDir: dir });
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('startNats restart()', () => {
  it('comes back on the same port with the JetStream data it had', async () => {
    const before = await NatsWire.connect(server.url);
    await before.api('$JS.API.STREAM.CREATE.KEEP', { name: 'KEEP', subjects: ['keep.>'], storage: 'file' });
    for (let i = 1; i <= 3; i++) await before.request(`keep.${i}`, `m${i}`);
    before.close();
    const { url, monitorUrl } = server;
    const oldPid = server.pids[0];

    await server.restart();

    expect(server.url).toBe(url);
    expect(server.monitorUrl).toBe(monitorUrl);
    expect(server.pids[0]).not.toBe(oldPid);
    const after = await NatsWire.connect(server.url);
    try {
      const info = await after.api<{ state: { messages: number } }>('$JS.API.STREAM.INFO.KEEP');
      expect(info.state.messages).toBe(3);
      const msg = await after.api<{ message: { data: string } }>('$JS.API.STREAM.MSG.GET.KEEP', { seq: 2 });
      expect(Buffer.from(msg.message.data, 'base64').toString()).toBe('m2');
      const ack = JSON.parse((await after.request('keep.4', 'm4')).toString()) as { seq: number };
      expect(ack.seq).toBe(4);
    } finally {
      after.close();
    }
  });

  it('refuses to restart once stopped', async () => {
    const other = await startNats({ dataDir: join(dir, 'other') });
    await other.stop();
    expect(other.pids).toEqual([]);
    await expect(other.restart()).rejects.toThrow(/stopped/);
  });
});
