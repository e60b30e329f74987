import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syncFile, type SyncOptions, type SyncWarning } from '../src/index.js';
import { expectSameBytes, fileOf, newStoredBytes, randomBlocks, withTempDir } from './fixtures.js';
import { TestOrigin } from './test-origin.js';

const v1Blocks = randomBlocks(80);
const v2Blocks = [...v1Blocks];
const [changedA, changedB, inserted] = randomBlocks(3);
v2Blocks[5] = changedA!;
v2Blocks[50] = changedB!;
v2Blocks.splice(20, 0, inserted!);
v2Blocks.splice(70, 1);
const v1 = fileOf(v1Blocks);
const v2 = fileOf(v2Blocks);
const v2New = [changedA!, changedB!, inserted!].reduce((sum, b) => sum + b.length, 0);

let origin: TestOrigin;
beforeAll(async () => {
  origin = await TestOrigin.start(new Map([...v1.stored, ...v2.stored]));
});
afterEach(() => origin.reset());
afterAll(() => origin.close());

async function sync(options: Partial<SyncOptions> & { target: string }) {
  const warnings: SyncWarning[] = [];
  const report = await syncFile({
    manifest: v2.manifest,
    sources: [{ name: 'origin', url: origin.url }],
    batchBytes: 256 * 1024,
    onWarning: (w) => warnings.push(w),
    ...options,
  });
  return { report, warnings };
}

describe('syncFile from local data', () => {
  it('takes from a seed all it holds: fetches only the chunks the new version adds', () =>
    withTempDir(async (dir) => {
      const slotA = join(dir, 'slot-a');
      await writeFile(slotA, v1.bytes);
      const { report, warnings } = await sync({
        target: join(dir, 'slot-b'),
        seeds: [{ path: slotA, manifest: v1.manifest }],
      });
      await expectSameBytes(join(dir, 'slot-b'), v2);
      expect(warnings).toEqual([]);
      expect(report.fetchedStoredBytes).toBe(newStoredBytes(v2, v1));
      expect(origin.sentStoredBytes).toBe(newStoredBytes(v2, v1));
      expect(report.fetchedBytes).toBe(v2New);
      expect(report.reusedBySeed).toEqual({ [slotA]: v2.bytes.length - v2New });
      expect(report.fullDownload).toBe(false);
    }));

  it('cuts a seed without a manifest with the chunker given, and uses the pieces the target wants', () =>
    withTempDir(async (dir) => {
      const slotA = join(dir, 'slot-a');
      await writeFile(slotA, v1.bytes);
      // Stands in for chunkFile: cuts where the content-defined chunker would (the block edges).
      async function* chunkSeed(path: string) {
        const bytes = await readFile(path);
        for (const c of v1.manifest.chunks) yield { bytes: bytes.subarray(c.offset, c.offset + c.length) };
      }
      const { report, warnings } = await sync({
        target: join(dir, 'slot-b'),
        seeds: [{ path: slotA }],
        chunkSeed,
      });
      await expectSameBytes(join(dir, 'slot-b'), v2);
      expect(warnings).toEqual([]);
      expect(report.fetchedStoredBytes).toBe(newStoredBytes(v2, v1));
      expect(report.reusedBySeed).toEqual({ [slotA]: v2.bytes.length - v2New });
    }));

  it('hashes what a seed holds: a stale range is fetched instead', () =>
    withTempDir(async (dir) => {
      const slotA = join(dir, 'slot-a');
      const stale = Buffer.from(v1.bytes);
      const [two, thirty] = [v1.manifest.chunks[2]!, v1.manifest.chunks[30]!];
      stale.fill(0x55, two.offset + 10, two.offset + 20);
      stale.fill(0x55, thirty.offset, thirty.offset + 1);
      await writeFile(slotA, stale);
      const { report, warnings } = await sync({
        target: join(dir, 'slot-b'),
        seeds: [{ path: slotA, manifest: v1.manifest }],
      });
      await expectSameBytes(join(dir, 'slot-b'), v2);
      expect(warnings).toEqual([{ kind: 'stale-seed', path: slotA, chunks: 2 }]);
      expect(report.fetchedStoredBytes).toBe(newStoredBytes(v2, v1) + two.storedLength + thirty.storedLength);
    }));

  it('skips, with a warning, a seed without a manifest and a seed that is the target itself', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'slot-b');
      await writeFile(target, v1.bytes);
      await writeFile(join(dir, 'other'), v1.bytes);
      const { report, warnings } = await sync({
        target,
        seeds: [{ path: join(dir, 'other') }, { path: target, manifest: v1.manifest }],
      });
      await expectSameBytes(target, v2);
      expect(warnings).toEqual([
        { kind: 'seed-skipped', path: join(dir, 'other'), reason: 'no manifest' },
        { kind: 'seed-skipped', path: target, reason: 'it is the target' },
      ]);
      // The target's own ranges that already match (those before the first change) are kept.
      expect(report.reusedBySeed[target]).toBe(v1.manifest.chunks[5]!.offset);
    }));

  it('writes a device in place: never truncated, what follows the file kept, no journal beside it', () =>
    withTempDir(async (dir) => {
      // No block device can be made without root loop devices: a pre-sized regular file opened
      // as a device stands in (targetKind 'device'), the same code path but for the size query.
      const device = join(dir, 'vdb2');
      const size = Math.max(v1.bytes.length, v2.bytes.length) + 64 * 1024;
      const before = Buffer.concat([v1.bytes, Buffer.alloc(size - v1.bytes.length, 0xee)]);
      await writeFile(device, before);
      const slotA = join(dir, 'vdb1');
      await writeFile(slotA, v1.bytes);
      const state = join(dir, 'state');
      await mkdir(state);
      const { report } = await sync({
        target: device,
        targetKind: 'device',
        stateDir: state,
        seeds: [{ path: slotA, manifest: v1.manifest }],
      });
      const after = await readFile(device);
      expect(after.length).toBe(size);
      expect(after.subarray(0, v2.bytes.length).equals(v2.bytes)).toBe(true);
      expect(after.subarray(v2.bytes.length).equals(before.subarray(v2.bytes.length))).toBe(true);
      expect(report.fetchedStoredBytes).toBe(newStoredBytes(v2, v1));
      expect((await readdir(dir)).sort()).toEqual(['state', 'vdb1', 'vdb2']);
    }));

  it('refuses a device smaller than the file before writing anything', () =>
    withTempDir(async (dir) => {
      const device = join(dir, 'vdb2');
      await writeFile(device, Buffer.alloc(v2.bytes.length - 1, 0xee));
      await expect(sync({ target: device, targetKind: 'device' })).rejects.toMatchObject({
        reason: 'target-too-small',
      });
      expect((await stat(device)).size).toBe(v2.bytes.length - 1);
      expect((await readFile(device)).every((b) => b === 0xee)).toBe(true);
      expect(origin.packRequests).toBe(0);
    }));
});
