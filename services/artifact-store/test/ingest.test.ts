import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decompressChunk, DeliveryClient, parseManifest, sha256Hex, type Manifest } from '@muster/chunks';
import { contracts, decode, ImagePublishedSchema, OutputKind } from '@muster/contracts';
import { readSubject } from '@muster/messaging/testing';
import { verifyManifest, verifyRelease, type SignedRelease } from '@muster/releases';
import { startArtifactStack, type ArtifactStack } from './fixtures/artifact-stack.js';
import { fileBytes, rootTree, squashfsImage } from './fixtures/squashfs-image.js';

// A completed build becomes a signed release whose files a client can rebuild exactly from the
// chunks; a second build stores only what changed.
let stack: ArtifactStack;
let client: DeliveryClient;
let v1: Buffer;
let v2: Buffer;
let kernel: Buffer;

beforeAll(async () => {
  stack = await startArtifactStack();
  client = new DeliveryClient(stack.url);
  v1 = await squashfsImage(rootTree());
  v2 = await squashfsImage(
    rootTree({
      'usr/share/new/added.txt': fileBytes('added', 5000),
      'usr/bin/tool': fileBytes('tool', 90_000),
    }),
  );
  kernel = fileBytes('kernel', 300_000);
});
afterAll(async () => {
  await stack?.close();
});

async function signedOf(releaseId: string): Promise<SignedRelease> {
  return verifyRelease(await client.releaseDocument(releaseId), {
    trusted: stack.trusted,
    now: new Date(),
    expect: { releaseId },
  });
}

async function rebuild(signed: SignedRelease, name: string): Promise<{ bytes: Buffer; manifest: Manifest }> {
  const manifest = parseManifest(
    verifyManifest(signed, name, await client.manifest(signed.files[name]!.manifest.sha256)),
  );
  const byId = new Map<string, Buffer>();
  const ids = [...new Set(manifest.chunks.map((c) => c.sha256))];
  for await (const record of client.chunks(ids)) byId.set(record.sha256, record.stored);
  const parts = await Promise.all(manifest.chunks.map((c) => decompressChunk(byId.get(c.sha256)!, c)));
  return { bytes: Buffer.concat(parts), manifest };
}

describe('ingest of a completed build', () => {
  let first: string;

  it('publishes a signed release whose files rebuild exactly from chunks cut at the squashfs boundaries', async () => {
    const buildId = await stack.completeBuild('workstation', [
      { name: 'root.squashfs', kind: OutputKind.SQUASHFS, bytes: v1 },
      { name: 'vmlinuz', kind: OutputKind.KERNEL, bytes: kernel },
    ]);
    first = await stack.releaseOf(buildId);
    const signed = await signedOf(first);
    expect(signed).toMatchObject({ image: 'workstation', sequence: 1, version: '1', buildId, channels: [] });
    expect(Object.keys(signed.files).sort()).toEqual(['root.squashfs', 'vmlinuz']);
    const root = await rebuild(signed, 'root.squashfs');
    expect(root.bytes.equals(v1)).toBe(true);
    expect(root.manifest.chunking).toBe('squashfs-v1');
    expect((await rebuild(signed, 'vmlinuz')).bytes.equals(kernel)).toBe(true);

    const [event] = (
      await readSubject(stack.bus, 'IMAGES', contracts.imagePublished.pattern({ releaseId: first }))
    ).map((m) => decode(ImagePublishedSchema, m.data));
    expect(event).toMatchObject({
      releaseId: first,
      imageName: 'workstation',
      sequence: 1,
      buildId,
      reusedBytes: 0n,
    });
    expect(event!.newStoredBytes).toBeGreaterThan(0n);
    expect(event!.totalSizeBytes).toBe(BigInt(v1.length + kernel.length));
  });

  it('stores only the chunks a second build adds, and says how much it reused', async () => {
    const before = await stack.sql<{ n: string }>('SELECT count(*) AS n FROM chunk');
    const buildId = await stack.completeBuild('workstation', [
      { name: 'root.squashfs', kind: OutputKind.SQUASHFS, bytes: v2 },
      { name: 'vmlinuz', kind: OutputKind.KERNEL, bytes: kernel },
    ]);
    const second = await stack.releaseOf(buildId);
    const signed = await signedOf(second);
    expect(signed.sequence).toBe(2);
    expect((await rebuild(signed, 'root.squashfs')).bytes.equals(v2)).toBe(true);

    const m1 = parseManifest(
      await client.manifest((await signedOf(first)).files['root.squashfs']!.manifest.sha256),
    );
    const m2 = parseManifest(await client.manifest(signed.files['root.squashfs']!.manifest.sha256));
    const held = new Set(m1.chunks.map((c) => c.sha256));
    const fresh = new Map(
      m2.chunks.filter((c) => !held.has(c.sha256)).map((c) => [c.sha256, c.storedLength]),
    );
    const after = await stack.sql<{ n: string }>('SELECT count(*) AS n FROM chunk');
    expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(fresh.size);
    // The two new files and the metadata they moved: a small part of the image.
    const freshBytes = [...fresh.values()].reduce((a, b) => a + b, 0);
    expect(freshBytes).toBeLessThan(v2.length / 4);

    const [event] = (
      await readSubject(stack.bus, 'IMAGES', contracts.imagePublished.pattern({ releaseId: second }))
    ).map((m) => decode(ImagePublishedSchema, m.data));
    expect(event!.newStoredBytes).toBe(BigInt(freshBytes));
    expect(event!.reusedBytes).toBeGreaterThan(BigInt(kernel.length));

    const plan = await stack.call('POST', `/v1/releases/${second}/delta-plan`, { fromRelease: first });
    expect(plan.status).toBe(200);
    expect(plan.body['needStoredBytes']).toBe(freshBytes);
    const planned = plan.body['files'] as { name: string; needChunks: number }[];
    expect(planned.find((f) => f.name === 'vmlinuz')!.needChunks).toBe(0);
  });

  it('publishes a build once, however often its event is delivered', async () => {
    const bytes = fileBytes('once', 70_000);
    const buildId = await stack.completeBuild('once', [{ name: 'vmlinuz', kind: OutputKind.KERNEL, bytes }]);
    const releaseId = await stack.releaseOf(buildId);
    await stack.completeBuild('once', [{ name: 'vmlinuz', kind: OutputKind.KERNEL, bytes }], { buildId });
    await stack.completeBuild('other', [
      { name: 'vmlinuz', kind: OutputKind.KERNEL, bytes: fileBytes('x', 10) },
    ]);
    await expect
      .poll(
        async () =>
          (await stack.sql<{ n: string }>(`SELECT count(*) AS n FROM ingest WHERE state = 'running'`))[0]!.n,
      )
      .toBe('0');
    const rows = await stack.sql<{ release_id: string }>(
      'SELECT release_id FROM release WHERE build_id = $1',
      [buildId],
    );
    expect(rows.map((r) => r.release_id)).toEqual([releaseId]);
  });

  it('refuses an output that is not what the build reported, and publishes nothing', async () => {
    const buildId = await stack.completeBuild(
      'tampered',
      [{ name: 'vmlinuz', kind: OutputKind.KERNEL, bytes: fileBytes('t', 1000) }],
      { sha256: sha256Hex(Buffer.from('something else')) },
    );
    await expect
      .poll(
        async () =>
          (
            await stack.sql<{ state: string; error: string }>(
              'SELECT state, error FROM ingest WHERE build_id = $1',
              [buildId],
            )
          )[0],
      )
      .toMatchObject({
        state: 'failed',
        error: expect.stringMatching(/not the 1000 bytes and [0-9a-f]{64} the build reported/) as unknown,
      });
    expect(await stack.sql('SELECT 1 FROM release WHERE build_id = $1', [buildId])).toEqual([]);
  });
});
