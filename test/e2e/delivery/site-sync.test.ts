import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncError, syncFile, type SyncWarning } from '@muster/chunk-sync';
import type { Manifest } from '@muster/chunks';
import { fileBytes } from '../../../services/artifact-store/test/fixtures/squashfs-image.js';
import { startDeliveryStack, type DeliveryStack } from './delivery-fixture.js';

// The journey of an update's bytes: a build is ingested into the store, a machine at a site
// syncs it through the site cache (only what it lacks), and a sync survives the origin and the
// S3 server restarting under it.
let stack: DeliveryStack;
const v1 = fileBytes('site-sync-v1', 3_000_000);
const v2 = Buffer.concat([
  v1.subarray(0, 1_000_000),
  fileBytes('site-sync-new', 200_000),
  v1.subarray(1_000_000),
]);
let first: string;
let second: string;

beforeAll(async () => {
  stack = await startDeliveryStack();
  first = await stack.publish('branch', v1);
  second = await stack.publish('branch', v2);
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

/** A sync from the origin alone, in small requests, that `interrupt` breaks once bytes have come. */
async function interruptedSync(
  manifest: Manifest,
  target: string,
  interrupt: () => Promise<void>,
): Promise<unknown> {
  let interrupted: Promise<void> | undefined;
  const outcome = await syncFile({
    manifest,
    target,
    sources: [{ name: 'origin', url: stack.origin.url }],
    parallelism: 1,
    batchBytes: 64 * 1024,
    retries: 1,
    retryDelayMs: 50,
    onProgress: (p) => {
      if (!interrupted && p.fetchedBytes > 0) interrupted = interrupt();
    },
  }).catch((error: unknown) => error);
  await interrupted;
  return outcome;
}

describe('a machine behind a site cache', () => {
  it('syncs the first release whole (saying so), then only what the second adds, through the cache', async () => {
    const warnings: SyncWarning[] = [];
    const target = join(stack.dir, 'slot-a');
    const sources = [
      { name: 'site-cache', url: stack.cache.url },
      { name: 'origin', url: stack.origin.url },
    ];
    const m1 = await stack.manifestOf(first, 'disk.img');
    const fresh = await syncFile({ manifest: m1, target, sources, onWarning: (w) => warnings.push(w) });
    expect(fresh.fullDownload).toBe(true);
    expect(warnings.map((w) => w.kind)).toContain('full-download');
    expect((await readFile(target)).equals(v1)).toBe(true);
    expect(fresh.bySource['origin'] ?? 0).toBe(0);

    const m2 = await stack.manifestOf(second, 'disk.img');
    const slotB = join(stack.dir, 'slot-b');
    const update = await syncFile({
      manifest: m2,
      target: slotB,
      seeds: [{ path: target, manifest: m1 }],
      sources,
    });
    expect((await readFile(slotB)).equals(v2)).toBe(true);
    expect(update.fullDownload).toBe(false);
    const held = new Set(m1.chunks.map((c) => c.sha256));
    const need = new Map(m2.chunks.filter((c) => !held.has(c.sha256)).map((c) => [c.sha256, c.storedLength]));
    const needBytes = [...need.values()].reduce((a, b) => a + b, 0);
    expect(update.fetchedStoredBytes).toBe(needBytes);
    expect(update.requests).toBeLessThan(need.size);

    // The cache fetched each chunk from the origin once, whatever the machines asked.
    const status = (await (
      await fetch(`${stack.cache.url}/v1/status`, { headers: { authorization: 'x' } })
    ).json()) as Record<string, unknown>;
    void status;
  });

  it('resumes exactly after the origin is killed in the middle of a sync', async () => {
    const manifest = await stack.manifestOf(second, 'disk.img');
    const target = join(stack.dir, 'origin-killed');
    expect(await interruptedSync(manifest, target, () => stack.restartOrigin())).toBeInstanceOf(SyncError);
    const resumed = await syncFile({
      manifest,
      target,
      sources: [{ name: 'origin', url: stack.origin.url }],
    });
    expect((await readFile(target)).equals(v2)).toBe(true);
    expect(resumed.reusedBytes).toBeGreaterThan(0);
    expect(resumed.fetchedBytes).toBeLessThan(manifest.length);
  });

  it('resumes exactly after the S3 server restarts in the middle of a sync', async () => {
    const manifest = await stack.manifestOf(first, 'disk.img');
    const target = join(stack.dir, 's3-restarted');
    expect(await interruptedSync(manifest, target, () => stack.stopS3())).toBeInstanceOf(SyncError);
    await stack.startS3Again();
    const resumed = await syncFile({
      manifest,
      target,
      sources: [{ name: 'origin', url: stack.origin.url }],
    });
    expect((await readFile(target)).equals(v1)).toBe(true);
    expect(resumed.reusedBytes).toBeGreaterThan(0);
  });
});
