import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyManifestPatch,
  chunkObjectKey,
  compressChunk,
  DeliveryClient,
  DeliveryError,
  MANIFEST_PATCH_MEDIA_TYPE,
  parseManifest,
} from '@muster/chunks';
import { OutputKind } from '@muster/contracts';
import { ReleaseRefusedError, verifyRelease, type SignedRelease } from '@muster/releases';
import { ReleaseLifecycle } from '../src/releases/release-lifecycle.repository.js';
import { startArtifactStack, type ArtifactStack } from './fixtures/artifact-stack.js';
import { fileBytes } from './fixtures/squashfs-image.js';

// What clients fetch: chunks one by one and many at once, manifests whole and as patches,
// whole files with ranges, signed documents through promotion and revocation; and every
// malformed name refused.
let stack: ArtifactStack;
let client: DeliveryClient;
let first: string;
let second: string;
const v1 = fileBytes('delivery-v1', 600_000);
const v2 = Buffer.concat([v1.subarray(0, 200_000), fileBytes('inserted', 30_000), v1.subarray(200_000)]);

beforeAll(async () => {
  stack = await startArtifactStack({ MUSTER_RELEASE_DOCUMENT_TTL_SECONDS: '3600' });
  client = new DeliveryClient(stack.url);
  first = await stack.releaseOf(
    await stack.completeBuild('kiosk', [{ name: 'disk.img', kind: OutputKind.RAW_DISK, bytes: v1 }]),
  );
  second = await stack.releaseOf(
    await stack.completeBuild('kiosk', [{ name: 'disk.img', kind: OutputKind.RAW_DISK, bytes: v2 }]),
  );
});
afterAll(async () => {
  await stack?.close();
});

const verify = async (releaseId: string, more: Partial<Parameters<typeof verifyRelease>[1]> = {}) =>
  verifyRelease(await client.releaseDocument(releaseId), {
    trusted: stack.trusted,
    now: new Date(),
    ...more,
  });

async function manifestOf(signed: SignedRelease) {
  return parseManifest(await client.manifest(signed.files['disk.img']!.manifest.sha256));
}

describe('chunks', () => {
  it('are served immutable by id, one at a time or many in one request, in the order asked', async () => {
    const manifest = await manifestOf(await verify(first));
    const [a, b] = manifest.chunks;
    const res = await fetch(`${stack.url}/v1/chunks/${a!.sha256}`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('etag')).toBe(`"${a!.sha256}"`);
    expect(res.headers.get('muster-chunk-length')).toBe(String(a!.length));
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(a!.storedLength);
    const ids = manifest.chunks.map((c) => c.sha256).reverse();
    const got = [];
    for await (const record of client.chunks(ids)) got.push(record.sha256);
    expect(got).toEqual(ids);
    expect((await fetch(`${stack.url}/v1/chunks/${b!.sha256}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('answer an unknown id with 404 naming what is missing, and a malformed one with 400', async () => {
    const unknown = 'f'.repeat(64);
    const known = (await manifestOf(await verify(first))).chunks[0]!.sha256;
    const err = await (async () => {
      for await (const record of client.chunks([known, unknown])) void record;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ reason: 'not-found', missing: [unknown] });
    expect((await fetch(`${stack.url}/v1/chunks/${unknown}`)).status).toBe(404);
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', 'F'.repeat(64), 'abc'])
      expect((await fetch(`${stack.url}/v1/chunks/${bad}`)).status).toBe(400);
    const twice = await stack.call('POST', '/v1/chunks/fetch', { chunks: [known, known] });
    expect(twice.status).toBe(400);
  });

  it('redirect to a presigned URL only where the store is set up for it', async () => {
    const known = (await manifestOf(await verify(first))).chunks[0]!.sha256;
    expect(
      (await fetch(`${stack.url}/v1/chunks/${known}?redirect=presigned`, { redirect: 'manual' })).status,
    ).toBe(400);
  });
});

describe('manifests', () => {
  it('go as a small patch against a manifest the client holds, which rebuilds the exact bytes', async () => {
    const [s1, s2] = [await verify(first), await verify(second)];
    const base = await client.manifest(s1.files['disk.img']!.manifest.sha256);
    const whole = await client.manifest(s2.files['disk.img']!.manifest.sha256);
    const res = await fetch(
      `${stack.url}/v1/manifests/${s2.files['disk.img']!.manifest.sha256}?base=${s1.files['disk.img']!.manifest.sha256}`,
    );
    expect(res.headers.get('content-type')).toBe(MANIFEST_PATCH_MEDIA_TYPE);
    const patch = Buffer.from(await res.arrayBuffer());
    expect(patch.length).toBeLessThan(whole.length / 2);
    expect(applyManifestPatch(base, patch, s2.files['disk.img']!.manifest.sha256)).toEqual(whole);
    const viaClient = await client.manifest(s2.files['disk.img']!.manifest.sha256, {
      sha256: s1.files['disk.img']!.manifest.sha256,
      bytes: base,
    });
    expect(viaClient).toEqual(whole);
    expect((await fetch(`${stack.url}/v1/manifests/${'e'.repeat(64)}`)).status).toBe(404);
  });
});

describe('files rebuilt from chunks', () => {
  it('stream whole or by range, byte for byte', async () => {
    const url = `${stack.url}/v1/releases/${second}/files/disk.img`;
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(v2)).toBe(true);
    const part = await fetch(url, { headers: { range: 'bytes=199990-230009' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 199990-230009/${v2.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(v2.subarray(199_990, 230_010))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-100' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(v2.subarray(v2.length - 100))).toBe(true);
    expect((await fetch(url, { headers: { range: `bytes=${v2.length}-` } })).status).toBe(416);
    expect((await fetch(`${stack.url}/v1/releases/${second}/files/..%2Fsecret`)).status).toBe(400);
    expect((await fetch(`${stack.url}/v1/releases/${second}/files/nothere.img`)).status).toBe(404);
  });

  it('end short, never with wrong bytes, when a stored chunk does not match its id', async () => {
    const bytes = fileBytes('tamper', 100_000);
    const releaseId = await stack.releaseOf(
      await stack.completeBuild('tamper', [{ name: 'vmlinuz', kind: OutputKind.KERNEL, bytes }]),
    );
    const manifest = parseManifest(
      await client.manifest((await verify(releaseId)).files['vmlinuz']!.manifest.sha256),
    );
    const victim = manifest.chunks.at(-1)!;
    await stack.objects.put(
      stack.bucket,
      chunkObjectKey(victim.sha256),
      compressChunk(Buffer.alloc(victim.length, 1)),
    );
    const res = await fetch(`${stack.url}/v1/releases/${releaseId}/files/vmlinuz`);
    const got = await res.arrayBuffer().then(
      (b) => Buffer.from(b),
      (error: unknown) => error,
    );
    // Either the connection is cut (the client sees an error) or what arrived is a true prefix.
    const honest =
      got instanceof Buffer
        ? got.length < bytes.length && got.equals(bytes.subarray(0, got.length))
        : got instanceof Error;
    expect(honest).toBe(true);
  });
});

describe('delta plans', () => {
  it('count a chunk two files share once for the release, and per file in each', async () => {
    const bytes = fileBytes('shared-by-two', 150_000);
    const releaseId = await stack.releaseOf(
      await stack.completeBuild('twins', [
        { name: 'vmlinuz', kind: OutputKind.KERNEL, bytes },
        { name: 'copy.img', kind: OutputKind.RAW_DISK, bytes },
      ]),
    );
    const plan = await stack.call('POST', `/v1/releases/${releaseId}/delta-plan`, { have: [] });
    const files = plan.body['files'] as { name: string; needChunks: number; needStoredBytes: number }[];
    expect(files.map((f) => f.name)).toEqual(['copy.img', 'vmlinuz']);
    expect(files[0]!.needChunks).toBe(files[1]!.needChunks);
    expect(files[0]!.needChunks).toBeGreaterThan(1);
    expect(plan.body['needChunks']).toBe(files[0]!.needChunks);
    expect(plan.body['needStoredBytes']).toBe(files[0]!.needStoredBytes);
    const held = await stack.call('POST', `/v1/releases/${releaseId}/delta-plan`, { fromRelease: releaseId });
    expect(held.body).toMatchObject({ needChunks: 0, needStoredBytes: 0, reusedBytes: bytes.length });
  });
});

describe('release documents', () => {
  it('carry the channels a release is promoted to; the channel answers with its release', async () => {
    const promoted = await stack.call('POST', `/v1/releases/${first}/promote`, { channel: 'stable' });
    expect(promoted).toMatchObject({ status: 200, body: { previous: null } });
    expect(await verify(first, { expect: { channel: 'stable' } })).toMatchObject({ channels: ['stable'] });
    const moved = await stack.call('POST', `/v1/releases/${second}/promote`, {
      channel: 'stable',
      rollbackFloor: 2,
    });
    expect(moved.body).toMatchObject({ previous: first });
    const viaChannel = await client.channelDocument('stable', 'kiosk', 'amd64');
    const signed = verifyRelease(viaChannel, {
      trusted: stack.trusted,
      now: new Date(),
      expect: { channel: 'stable', image: 'kiosk' },
    });
    expect(signed).toMatchObject({ releaseId: second, rollbackFloor: 2 });
    // The first release left the channel: presented as "stable" now, it is refused.
    const stale = await client.releaseDocument(first);
    expect(() =>
      verifyRelease(stale, { trusted: stack.trusted, now: new Date(), expect: { channel: 'stable' } }),
    ).toThrow(ReleaseRefusedError);
    // A machine that saw floor 2 refuses the first release.
    expect(() =>
      verifyRelease(stale, { trusted: stack.trusted, now: new Date(), held: { sequence: 2, floor: 2 } }),
    ).toThrow(expect.objectContaining({ reason: 'rollback' }) as Error);
    const tooHigh = await stack.call('POST', `/v1/releases/${first}/promote`, {
      channel: 'beta',
      rollbackFloor: 9,
    });
    expect(tooHigh.status).toBe(400);
    for (const channel of ['../x', 'a b', '']) {
      expect((await stack.call('POST', `/v1/releases/${first}/promote`, { channel })).status).toBe(400);
    }
  });

  it('are re-signed before they expire, each issued after the one before', async () => {
    const before = await verify(second);
    const lifecycle = stack.service.app.get(ReleaseLifecycle);
    expect(await lifecycle.refresh(new Date(Date.now() + 1_900_000))).toBeGreaterThanOrEqual(1);
    const after = await verify(second);
    expect(Date.parse(after.issuedAt)).toBeGreaterThan(Date.parse(before.issuedAt));
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.parse(before.expiresAt));
    expect(await lifecycle.refresh(new Date())).toBe(0);
  });

  it('are withdrawn on revocation: the release leaves its channels and is no longer served', async () => {
    const revoked = await stack.call('POST', `/v1/releases/${second}/revoke`, {
      reason: 'broken boot on model X',
    });
    expect(revoked.body).toMatchObject({ state: 'revoked', leftChannels: ['stable'] });
    expect((await fetch(`${stack.url}/v1/releases/${second}/document`)).status).toBe(410);
    expect((await fetch(`${stack.url}/v1/channels/stable/kiosk/amd64`)).status).toBe(404);
    expect((await fetch(`${stack.url}/v1/releases/${second}/files/disk.img`)).status).toBe(410);
    expect((await stack.call('POST', `/v1/releases/${second}/promote`, { channel: 'stable' })).status).toBe(
      409,
    );
    const detail = await stack.call('GET', `/v1/releases/${second}`);
    expect(detail.body).toMatchObject({
      state: 'revoked',
      revokedReason: 'broken boot on model X',
      channels: [],
    });
    const listed = await stack.call('GET', '/v1/releases?image=kiosk&state=revoked');
    expect((listed.body['releases'] as { releaseId: string }[]).map((r) => r.releaseId)).toEqual([second]);
  });
});
