import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { chunkObjectKey, compressChunk, DeliveryClient, parseManifest, sha256Hex } from '@muster/chunks';
import pg from 'pg';
import { inject } from 'vitest';
import { contracts, MachineState, MachineUpdatedSchema, OutputKind } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { until } from '@muster/messaging/testing';
import { GarbageCollector } from '../src/gc/garbage-collector.repository.js';
import { startArtifactStack, type ArtifactStack } from './fixtures/artifact-stack.js';
import { fileBytes } from './fixtures/squashfs-image.js';

// Retention and garbage collection: what a channel, a machine or the newest release keeps is
// never collected; chunks go only after the grace period, and only when nothing uses them.
let stack: ArtifactStack;
let client: DeliveryClient;
const shared = fileBytes('gc-shared', 200_000);
const image = (n: number) => Buffer.concat([shared, fileBytes(`gc-own-${n}`, 100_000)]);
const releases: string[] = [];
const machineId = randomUUID();

beforeAll(async () => {
  stack = await startArtifactStack({ MUSTER_RELEASE_KEEP: '1', MUSTER_GC_GRACE_SECONDS: '3600' });
  client = new DeliveryClient(stack.url);
  for (let n = 0; n < 4; n += 1)
    releases.push(
      await stack.releaseOf(
        await stack.completeBuild('gc', [{ name: 'disk.img', kind: OutputKind.RAW_DISK, bytes: image(n) }]),
      ),
    );
});
afterAll(async () => {
  await stack?.close();
});

async function machineRuns(releaseId: string, revision: bigint): Promise<void> {
  await new EventPublisher(stack.bus, '/muster/inventory').publish(
    contracts.machineUpdated,
    { siteId: 'berlin-1', machineId },
    create(MachineUpdatedSchema, {
      machineId,
      siteId: 'berlin-1',
      state: MachineState.DEPLOYED,
      revision,
      changedFields: ['current_release_id'],
      updatedAt: timestampNow(),
      currentReleaseId: releaseId,
    }),
  );
  await until(
    async () =>
      (
        await stack.sql('SELECT 1 FROM release_pin WHERE release_id = $1 AND revision = $2', [
          releaseId,
          revision,
        ])
      ).length > 0,
  );
}

async function ownChunks(releaseId: string): Promise<string[]> {
  const detail = await stack.call('GET', `/v1/releases/${releaseId}`);
  const file = (detail.body['files'] as { manifestSha256: string }[])[0]!;
  const manifest = parseManifest(await client.manifest(file.manifestSha256));
  return manifest.chunks.filter((c) => c.offset >= shared.length).map((c) => c.sha256);
}

const gc = () => stack.service.app.get(GarbageCollector);
const inStore = async (id: string) =>
  (await stack.objects.stat(stack.bucket, chunkObjectKey(id))) !== undefined;

describe('garbage collection', () => {
  it('keeps what a channel, a machine or recency keeps, and reports the rest on a dry run without removing it', async () => {
    const [a, b, c, d] = releases as [string, string, string, string];
    expect((await stack.call('POST', `/v1/releases/${a}/promote`, { channel: 'stable' })).status).toBe(200);
    await machineRuns(b, 1n);
    const dry = await stack.call('POST', '/v1/gc', { dryRun: true });
    expect(dry.body).toMatchObject({ dryRun: true, releasesRemoved: [c] });
    expect((await stack.call('GET', `/v1/releases/${c}`)).status).toBe(200);

    const run = await stack.call('POST', '/v1/gc', {});
    expect(run.body).toMatchObject({ dryRun: false, releasesRemoved: [c], chunksRemoved: 0 });
    expect((await stack.call('GET', `/v1/releases/${c}`)).status).toBe(404);
    for (const kept of [a, b, d]) expect((await stack.call('GET', `/v1/releases/${kept}`)).status).toBe(200);
  });

  it('removes a removed release’s own chunks only after the grace period, and never a chunk still in use', async () => {
    const [, b, , d] = releases as [string, string, string, string];
    const bOwn = await ownChunks(b);
    const dOwn = await ownChunks(d);
    await machineRuns(d, 2n);
    const now = await gc().collect();
    expect(now.releasesRemoved).toEqual([b]);
    expect(now.chunksRemoved).toBe(0);
    for (const id of bOwn) expect(await inStore(id)).toBe(true);

    const later = await gc().collect({ now: new Date(Date.now() + 2 * 3600_000) });
    expect(later.chunksRemoved).toBeGreaterThanOrEqual(bOwn.length);
    for (const id of bOwn) expect(await inStore(id)).toBe(false);
    for (const id of dOwn) expect(await inStore(id)).toBe(true);
    // What is left still rebuilds exactly.
    const whole = await fetch(`${stack.url}/v1/releases/${d}/files/disk.img`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(image(3))).toBe(true);
    const first = await fetch(`${stack.url}/v1/releases/${releases[0]}/files/disk.img`);
    expect(Buffer.from(await first.arrayBuffer()).equals(image(0))).toBe(true);
  });

  it('removes a chunk object an interrupted upload left without a row, once past the grace period', async () => {
    const orphan = 'a'.repeat(64);
    await stack.objects.put(stack.bucket, chunkObjectKey(orphan), Buffer.from('left behind'));
    expect((await gc().collect()).orphanObjectsRemoved).toBe(0);
    const later = await gc().collect({ now: new Date(Date.now() + 2 * 3600_000) });
    expect(later.orphanObjectsRemoved).toBe(1);
    expect(await inStore(orphan)).toBe(false);
  });

  it('runs on one instance at a time: while another holds the lock, a run skips', async () => {
    const other = new pg.Client({ connectionString: inject('servers').postgres.url });
    await other.connect();
    await other.query(`SET search_path TO ${stack.schema}`);
    await other.query(`SELECT pg_advisory_lock(hashtext('muster-gc:' || current_schema()))`);
    expect(await gc().collect()).toMatchObject({
      skipped: 'another instance is collecting',
      releasesRemoved: [],
    });
    await other.end();
    expect((await gc().collect()).skipped).toBeUndefined();
  });

  it('makes an upload that finds a chunk being collected wait, then store it again', async () => {
    const bytes = fileBytes('gc-race', 3000); // one chunk: the whole file
    const id = sha256Hex(bytes);
    const frame = compressChunk(bytes);
    await stack.objects.put(stack.bucket, chunkObjectKey(id), frame);
    await stack.sql(
      `INSERT INTO chunk (sha256, size_bytes, stored_bytes, compression, seen_at)
       VALUES ($1, $2, $3, 'zstd', now() - interval '2 days')`,
      [id, bytes.length, frame.length],
    );
    // A collection in the middle of deleting it: the row locked, the object gone, not yet committed.
    const collector = new pg.Client({ connectionString: inject('servers').postgres.url });
    await collector.connect();
    await collector.query(`SET search_path TO ${stack.schema}`);
    await collector.query('BEGIN');
    await collector.query('SELECT sha256 FROM chunk WHERE sha256 = $1 FOR UPDATE', [id]);
    await stack.objects.delete(stack.bucket, chunkObjectKey(id));
    await collector.query('DELETE FROM chunk WHERE sha256 = $1', [id]);
    const buildId = await stack.completeBuild('race', [{ name: 'vmlinuz', kind: OutputKind.KERNEL, bytes }]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await stack.sql('SELECT 1 FROM release WHERE build_id = $1', [buildId])).toEqual([]);
    await collector.query('COMMIT');
    await collector.end();
    const releaseId = await stack.releaseOf(buildId);
    expect(await inStore(id)).toBe(true);
    const file = await fetch(`${stack.url}/v1/releases/${releaseId}/files/vmlinuz`);
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
