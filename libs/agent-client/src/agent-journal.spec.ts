import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentJournal } from './agent-journal.js';
import { FileStateStore, MemoryStateStore, StateFileError } from './agent-state.js';
import { OutboxFullError } from './outbox.js';

const frame = (seq: bigint) => new Uint8Array([Number(seq)]);
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('AgentJournal', () => {
  it('shares one increasing seq across every report', async () => {
    const journal = await AgentJournal.open(new MemoryStateStore());
    const seqs = [];
    for (let i = 0; i < 5; i++) seqs.push((await journal.append(frame)).seq);
    expect(seqs).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(journal.lastSeq).toBe(5n);
  });

  it('keeps the seq and the unacknowledged reports across a restart (file store)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-state-'));
    const path = join(dir, 'state.json');
    const first = await AgentJournal.open(new FileStateStore(path));
    for (let i = 0; i < 4; i++) await first.append(frame);
    await first.settle(1n);
    await first.settle(3n);
    await first.recordRun('c0ffee00-0000-4000-8000-000000000001', Date.now() + 60_000);

    const again = await AgentJournal.open(new FileStateStore(path));
    expect(again.lastSeq).toBe(4n);
    expect(again.pending().map((e) => [e.seq, [...e.frame]])).toEqual([
      [2n, [2]],
      [4n, [4]],
    ]);
    expect(again.hasRun('c0ffee00-0000-4000-8000-000000000001')).toBe(true);
    expect((await again.append(frame)).seq).toBe(5n);
  });

  it('saves a seq before handing out its report, so a crash never reuses it', async () => {
    const saved: bigint[] = [];
    const store = new MemoryStateStore();
    const journal = await AgentJournal.open({
      load: () => store.load(),
      save: async (s) => {
        saved.push(s.seq);
        await store.save(s);
      },
    });
    const entry = await journal.append(frame);
    expect(saved).toContain(entry.seq);
  });

  it('refuses a report when the outbox is full, without using up a seq', async () => {
    const journal = await AgentJournal.open(new MemoryStateStore(), { outboxCapacity: 2 });
    await journal.append(frame);
    await journal.append(frame);
    await expect(journal.append(frame)).rejects.toBeInstanceOf(OutboxFullError);
    await journal.settle(1n);
    expect((await journal.append(frame)).seq).toBe(3n);
  });

  it('settles through a Welcome’s last_seq and never reuses a seq the gateway holds', async () => {
    const journal = await AgentJournal.open(new MemoryStateStore());
    for (let i = 0; i < 3; i++) await journal.append(frame);
    expect(await journal.settleThrough(2n)).toEqual([1n, 2n]);
    // The gateway holds seqs up to 10 from before a state restore: continue above them.
    await journal.settleThrough(10n);
    expect((await journal.append(frame)).seq).toBe(11n);
  });

  it('forgets ran commands once they expired', async () => {
    let now = 1_000;
    const journal = await AgentJournal.open(new MemoryStateStore(), { clock: () => now });
    await journal.recordRun('a', 2_000);
    now = 3_000;
    await journal.recordRun('b', 9_000);
    expect(journal.hasRun('a')).toBe(false);
    expect(journal.hasRun('b')).toBe(true);
  });

  it('coalesces saves but always saves after the last change', async () => {
    const saves: number[] = [];
    let stored = { seq: 0n, pending: [] as { seq: bigint; frame: Uint8Array }[], ranCommands: {} };
    const journal = await AgentJournal.open({
      load: async () => stored,
      save: async (s) => {
        await new Promise((r) => setTimeout(r, 5));
        saves.push(Number(s.seq));
        stored = { ...s, pending: [...s.pending], ranCommands: { ...s.ranCommands } };
      },
    });
    await Promise.all(Array.from({ length: 20 }, () => journal.append(frame)));
    expect(stored.seq).toBe(20n);
    expect(saves.length).toBeLessThan(20);
  });
});

describe('FileStateStore', () => {
  it('starts fresh when there is no file, and refuses a corrupt one rather than restart at seq 0', async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-state-'));
    const path = join(dir, 'state.json');
    expect((await new FileStateStore(path).load()).seq).toBe(0n);
    await writeFile(path, '{"version":1,"seq":');
    await expect(new FileStateStore(path).load()).rejects.toBeInstanceOf(StateFileError);
  });

  it('writes the file whole (no temporary left behind)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-state-'));
    const path = join(dir, 'nested', 'state.json');
    await new FileStateStore(path).save({ seq: 7n, pending: [], ranCommands: {} });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1, seq: '7' });
    await expect(readFile(`${path}.tmp`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
