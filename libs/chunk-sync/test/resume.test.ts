import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@muster/chunks';
import { syncFile, type SyncOptions, type SyncWarning } from '../src/index.js';
import { expectSameBytes, fileOf, randomBlocks, withTempDir } from './fixtures.js';
import { TestOrigin } from './test-origin.js';

const file = fileOf(randomBlocks(100));

let origin: TestOrigin;
beforeAll(async () => {
  origin = await TestOrigin.start(new Map(file.stored));
});
afterEach(() => origin.reset());
afterAll(() => origin.close());

function sync(target: string, extra: Partial<SyncOptions> = {}) {
  return syncFile({
    manifest: file.manifest,
    target,
    sources: [{ name: 'origin', url: origin.url }],
    parallelism: 1,
    batchBytes: 128 * 1024,
    ...extra,
  });
}

/** Syncs until about 40% is fetched, then aborts: rejects with the abort's reason. */
async function interrupted(target: string, extra: Partial<SyncOptions> = {}): Promise<void> {
  const controller = new AbortController();
  const run = sync(target, {
    signal: controller.signal,
    onProgress: (p) => p.fetchedBytes > p.totalBytes * 0.4 && controller.abort(),
    ...extra,
  });
  await expect(run).rejects.toMatchObject({ name: 'AbortError' });
}

/** The chunks the target holds correctly somewhere, found by hashing every range. */
async function heldIds(path: string): Promise<Set<string>> {
  const bytes = await readFile(path);
  const held = new Set<string>();
  for (const c of file.manifest.chunks)
    if (sha256Hex(bytes.subarray(c.offset, c.offset + c.length)) === c.sha256) held.add(c.sha256);
  return held;
}

function storedOf(ids: Iterable<string>): number {
  return [...ids].reduce((sum, id) => sum + file.stored.get(id)!.length, 0);
}

describe('syncFile after an interruption', () => {
  it('stops when aborted, leaving what was written; a rerun fetches only the rest', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'root.squashfs');
      await interrupted(target);
      const held = await heldIds(target);
      expect(held.size).toBeGreaterThan(0);
      expect(held.size).toBeLessThan(file.stored.size);
      await stat(`${target}.muster-sync`);

      origin.reset();
      const report = await sync(target);
      await expectSameBytes(target, file);
      const rest = [...file.stored.keys()].filter((id) => !held.has(id));
      expect(origin.sent.sort()).toEqual(rest.sort());
      expect(report.fetchedStoredBytes).toBe(storedOf(rest));
      expect(report.reusedBySeed).toEqual({ [target]: file.bytes.length - report.fetchedBytes });
      expect(report.fullDownload).toBe(false);
    }));

  it('keeps a device journal under stateDir, never beside the device, and resumes from it', () =>
    withTempDir(async (dir) => {
      const device = join(dir, 'dev', 'vdb2');
      const state = join(dir, 'state');
      await mkdir(join(dir, 'dev'));
      await mkdir(state);
      await writeFile(device, Buffer.alloc(file.bytes.length, 0));
      const options: Partial<SyncOptions> = { targetKind: 'device', stateDir: state };
      await interrupted(device, options);
      expect(await readdir(join(dir, 'dev'))).toEqual(['vdb2']);
      expect(await readdir(state)).toEqual([
        expect.stringMatching(/^vdb2-[0-9a-f]{16}\.muster-sync$/) as string,
      ]);
      const held = await heldIds(device);

      origin.reset();
      await sync(device, options);
      expect((await readFile(device)).equals(file.bytes)).toBe(true);
      expect(origin.sent.sort()).toEqual([...file.stored.keys()].filter((id) => !held.has(id)).sort());
      expect(await readdir(state)).toEqual([]);
    }));

  it('trusts the journal instead of hashing again, and when it lies finds out and repairs the file', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'root.squashfs');
      await interrupted(target);
      const held = await heldIds(target);
      // Spoil a range the journal vouches for: only the final hash can tell.
      const spoiled = file.manifest.chunks.find((c) => held.has(c.sha256))!;
      const bytes = await readFile(target);
      bytes.fill(0, spoiled.offset, spoiled.offset + spoiled.length);
      await writeFile(target, bytes);

      origin.reset();
      const warnings: SyncWarning[] = [];
      await sync(target, { onWarning: (w) => warnings.push(w) });
      await expectSameBytes(target, file);
      expect(warnings).toEqual([{ kind: 'journal-wrong', path: `${target}.muster-sync` }]);
      const rest = [...file.stored.keys()].filter((id) => !held.has(id));
      // The rest first (the spoiled chunk was trusted), then the spoiled chunk on the second pass.
      expect(origin.sent.slice(0, -1).sort()).toEqual(rest.sort());
      expect(origin.sent.at(-1)).toBe(spoiled.sha256);
    }));

  it('fails with final-hash-mismatch when the chunks do not make the file the manifest names, dropping the journal', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'root.squashfs');
      const run = sync(target, { manifest: { ...file.manifest, sha256: '0'.repeat(64) } });
      await expect(run).rejects.toMatchObject({ name: 'SyncError', reason: 'final-hash-mismatch' });
      await expect(stat(`${target}.muster-sync`)).rejects.toThrow(/ENOENT/);
    }));

  it('carries on when the journal cannot be written', () =>
    withTempDir(async (dir) => {
      const device = join(dir, 'vdb2');
      await writeFile(device, Buffer.alloc(file.bytes.length));
      await sync(device, { targetKind: 'device', stateDir: join(dir, 'no-such-dir') });
      expect((await readFile(device)).equals(file.bytes)).toBe(true);
    }));
});
