import { once } from 'node:events';
import { createServer } from 'node:net';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syncFile, type SyncOptions, type SyncWarning } from '../src/index.js';
import { expectSameBytes, fileOf, randomBlocks, withTempDir } from './fixtures.js';
import { TestOrigin } from './test-origin.js';

const blocks = randomBlocks(100);
// The same bytes at two places: fetched once, written twice.
blocks.splice(60, 0, blocks[10]!);
const file = fileOf(blocks);
const allStored = [...file.stored.values()].reduce((sum, f) => sum + f.length, 0);
const KiB = 1024;

let cache: TestOrigin;
let origin: TestOrigin;

beforeAll(async () => {
  cache = await TestOrigin.start(new Map(file.stored));
  origin = await TestOrigin.start(new Map(file.stored));
});
afterEach(() => {
  cache.reset();
  origin.reset();
});
afterAll(async () => {
  await cache.close();
  await origin.close();
});

async function sync(dir: string, extra: Partial<SyncOptions> = {}) {
  const warnings: SyncWarning[] = [];
  const report = await syncFile({
    manifest: file.manifest,
    target: join(dir, 'root.squashfs'),
    sources: [
      { name: 'cache', url: cache.url },
      { name: 'origin', url: origin.url },
    ],
    batchBytes: 256 * KiB,
    retryDelayMs: 1,
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  return { report, warnings };
}

describe('syncFile from the network', () => {
  it('fetches a fresh file exactly, in far fewer requests than chunks, saying first that it is a full download', () =>
    withTempDir(async (dir) => {
      let requestsAtWarning: number | undefined;
      const { report, warnings } = await sync(dir, {
        batchBytes: undefined,
        onWarning: (w) => {
          if (w.kind === 'full-download') requestsAtWarning = cache.packRequests;
        },
      });
      expect(warnings).toEqual([]);
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(requestsAtWarning).toBe(0);
      expect(report).toMatchObject({
        fullDownload: true,
        reusedBytes: 0,
        fetchedBytes: file.bytes.length - blocks[10]!.length,
        fetchedStoredBytes: allStored,
        bySource: { cache: allStored },
        chunks: { total: 101, distinct: 100, fetched: 100, reused: 0 },
      });
      expect(report.requests).toBe(cache.packRequests);
      expect(report.requests * 20).toBeLessThan(file.manifest.chunks.length);
      expect(origin.packRequests).toBe(0);
      await expect(access(join(dir, 'root.squashfs.muster-sync'))).rejects.toThrow(/ENOENT/);
    }));

  it('uses the origin, with a warning, when the site cache is unreachable', () =>
    withTempDir(async (dir) => {
      const closed = createServer().listen(0, '127.0.0.1');
      await once(closed, 'listening');
      const port = (closed.address() as { port: number }).port;
      closed.close();
      const { report, warnings } = await sync(dir, {
        sources: [
          { name: 'cache', url: `http://127.0.0.1:${port}` },
          { name: 'origin', url: origin.url },
        ],
      });
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings.filter((w) => w.kind === 'source-down')).toEqual([
        {
          kind: 'source-down',
          source: 'cache',
          error: expect.stringContaining(`127.0.0.1:${port}`) as string,
        },
      ]);
      expect(report.bySource).toEqual({ origin: allStored });
    }));

  it('uses the origin, with a warning, when the site cache answers 5xx', () =>
    withTempDir(async (dir) => {
      cache.faults = { down: true };
      const { report, warnings } = await sync(dir);
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings.filter((w) => w.kind === 'source-down')).toEqual([
        { kind: 'source-down', source: 'cache', error: expect.stringContaining('503') as string },
      ]);
      expect(report.bySource).toEqual({ origin: allStored });
      // Marked down for the whole sync once its retries are spent: asked only by the batches
      // already under way, each at most 1 + retries (3) times.
      expect(cache.packRequests).toBeLessThanOrEqual(4 * 4);
    }));

  it('asks the site cache again after a passing 5xx, and keeps using it', () =>
    withTempDir(async (dir) => {
      cache.faults = { down: true };
      const recovered = setTimeout(() => (cache.faults = {}), 100);
      const { report, warnings } = await sync(dir, { retryDelayMs: 400 });
      clearTimeout(recovered);
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings.filter((w) => w.kind === 'source-down')).toEqual([]);
      expect(report.bySource).toEqual({ cache: allStored });
    }));

  it('uses the origin, with a warning, when the site cache sends a broken chunk pack', () =>
    withTempDir(async (dir) => {
      cache.faults = { reversed: true };
      const { report, warnings } = await sync(dir, { parallelism: 1 });
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings.filter((w) => w.kind !== 'full-download')).toEqual([
        { kind: 'source-down', source: 'cache', error: expect.stringContaining('chunk pack') as string },
      ]);
      expect(report.bySource).toEqual({ origin: allStored });
    }));

  it('asks again for the rest of a cut stream and ends exact', () =>
    withTempDir(async (dir) => {
      cache.faults = { cutAfterRecords: 3 };
      const { report, warnings } = await sync(dir);
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings.some((w) => w.kind === 'stream-cut' && w.received === 3)).toBe(true);
      expect(warnings.some((w) => w.kind === 'source-down')).toBe(false);
      // Each chunk taken once: a record that arrived whole is never asked for again.
      expect(report.bySource).toEqual({ cache: allStored });
      expect(report.fetchedStoredBytes).toBe(allStored);
    }));

  it('treats a stream that stops sending as cut', () =>
    withTempDir(async (dir) => {
      cache.faults = { stallAfterRecords: 2, times: 1 };
      const { warnings } = await sync(dir, { stallTimeoutMs: 300 });
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings).toContainEqual({
        kind: 'stream-cut',
        source: 'cache',
        received: 2,
        asked: expect.any(Number) as number,
      });
    }));

  it('moves on to the next source when streams are cut again and again with nothing sent', () =>
    withTempDir(async (dir) => {
      cache.faults = { cutAfterRecords: 0 };
      const { report, warnings } = await sync(dir, { retries: 2, parallelism: 1 });
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings.filter((w) => w.kind === 'stream-cut').length).toBe(3);
      expect(warnings).toContainEqual({
        kind: 'source-down',
        source: 'cache',
        error: expect.stringMatching(/cut 3 times/) as string,
      });
      expect(report.bySource).toEqual({ origin: allStored });
    }));

  it('refetches a chunk that fails verification from the next source', () =>
    withTempDir(async (dir) => {
      const bad = file.manifest.chunks[7]!;
      cache.faults = { corrupt: new Set([bad.sha256]) };
      const { report, warnings } = await sync(dir);
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings).toContainEqual(
        expect.objectContaining({ kind: 'corrupt-chunk', source: 'cache', sha256: bad.sha256 }),
      );
      expect(origin.sent).toEqual([bad.sha256]);
      expect(report.bySource.origin).toBe(bad.storedLength);
    }));

  it('fails with corrupt-chunk when a chunk fails verification twice, and never writes its bad bytes', () =>
    withTempDir(async (dir) => {
      const bad = file.manifest.chunks[7]!;
      origin.faults = { corrupt: new Set([bad.sha256]) };
      const failure = sync(dir, { sources: [{ name: 'origin', url: origin.url }] });
      await expect(failure).rejects.toMatchObject({ name: 'SyncError', reason: 'corrupt-chunk' });
      const target = await readFile(join(dir, 'root.squashfs'));
      expect(target.includes('not the bytes of')).toBe(false);
      expect(target.subarray(bad.offset, bad.offset + bad.length).equals(blocks[7]!)).toBe(false);
    }));

  it('asks the origin for the chunks the site cache does not hold', () =>
    withTempDir(async (dir) => {
      const lacking = [file.manifest.chunks[3]!, file.manifest.chunks[40]!];
      cache.faults = { missing: new Set(lacking.map((c) => c.sha256)) };
      const { report, warnings } = await sync(dir, { batchBytes: undefined });
      await expectSameBytes(join(dir, 'root.squashfs'), file);
      expect(warnings).toContainEqual({ kind: 'chunks-missing', source: 'cache', chunks: 2 });
      expect(origin.sent).toEqual(lacking.map((c) => c.sha256));
      expect(report.bySource.origin).toBe(lacking[0]!.storedLength + lacking[1]!.storedLength);
    }));

  it('fails with missing-chunks when no source holds a chunk', () =>
    withTempDir(async (dir) => {
      const id = file.manifest.chunks[3]!.sha256;
      cache.faults = { missing: new Set([id]) };
      origin.faults = { missing: new Set([id]) };
      await expect(sync(dir)).rejects.toMatchObject({ reason: 'missing-chunks' });
    }));
});
