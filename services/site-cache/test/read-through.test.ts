import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decompressChunk, DeliveryClient, distinctChunks } from '@muster/chunks';
import { cachePlace, startSiteCache, type CachePlace, type SiteCache } from './fixtures/site-cache.js';
import { TestOrigin, type TestRelease } from './fixtures/test-origin.js';

let origin: TestOrigin;
let place: CachePlace;
let cache: SiteCache;
let release: TestRelease;

beforeAll(async () => {
  origin = new TestOrigin();
  await origin.start();
  release = origin.addRelease({ 'root.squashfs': randomBytes(20 * 16 * 1024) });
  place = await cachePlace();
  cache = await startSiteCache(place, origin.url);
});
afterAll(async () => {
  await cache?.close();
  await origin?.stop();
  await place?.remove();
});

const chunksOf = () => distinctChunks(release.files['root.squashfs']!.manifest);

describe('the site cache', () => {
  it('reads a chunk through once, then serves it from its disk', async () => {
    const [chunk] = chunksOf();
    const before = await cache.status();
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${cache.url}/v1/chunks/${chunk!.sha256}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('muster-chunk-length')).toBe(String(chunk!.length));
      expect(res.headers.get('etag')).toBe(`"${chunk!.sha256}"`);
      await decompressChunk(Buffer.from(await res.arrayBuffer()), chunk!);
    }
    const head = await fetch(`${cache.url}/v1/chunks/${chunk!.sha256}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(origin.sent.get(chunk!.sha256)).toBe(1);
    const after = await cache.status();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(2);
    expect(after.originBytes - before.originBytes).toBe(chunk!.storedLength);
  });

  it('answers a chunk pack in request order, the misses read through in one origin request', async () => {
    const client = new DeliveryClient(cache.url);
    const ids = chunksOf().map((c) => c.sha256);
    for (let round = 0; round < 2; round++) {
      const got: string[] = [];
      for await (const record of client.chunks(ids)) {
        const chunk = chunksOf().find((c) => c.sha256 === record.sha256)!;
        await decompressChunk(record.stored, chunk);
        got.push(record.sha256);
      }
      expect(got).toEqual(ids);
    }
    for (const id of ids) expect(origin.sent.get(id), id).toBe(1);
  });

  it('serves manifests and their patches, and passes release documents through', async () => {
    const client = new DeliveryClient(cache.url);
    const file = release.files['root.squashfs']!;
    expect(await client.manifest(file.manifestId)).toEqual(origin.manifests.get(file.manifestId));
    const next = origin.addRelease({ 'root.squashfs': Buffer.concat([file.bytes, randomBytes(5000)]) });
    const nextId = next.files['root.squashfs']!.manifestId;
    await client.manifest(nextId);
    const patched = await client.manifest(nextId, {
      sha256: file.manifestId,
      bytes: origin.manifests.get(file.manifestId)!,
    });
    expect(patched).toEqual(origin.manifests.get(nextId));
    expect(await client.releaseDocument(release.releaseId)).toEqual(release.document);
  });

  it('coalesces concurrent misses of one chunk into one origin fetch', async () => {
    const fresh = origin.addRelease({ f: randomBytes(3 * 16 * 1024) });
    const [a, b, c] = distinctChunks(fresh.files['f']!.manifest);
    const client = new DeliveryClient(cache.url);
    const singles = Array.from({ length: 8 }, () =>
      fetch(`${cache.url}/v1/chunks/${a!.sha256}`).then((r) => r.arrayBuffer()),
    );
    const packs = Array.from({ length: 4 }, async () => {
      const out = [];
      for await (const r of client.chunks([a!.sha256, b!.sha256, c!.sha256])) out.push(r.sha256);
      return out;
    });
    await Promise.all([...singles, ...packs]);
    for (const chunk of [a, b, c]) expect(origin.sent.get(chunk!.sha256), chunk!.sha256).toBe(1);
  });

  it('refuses a corrupt chunk from the origin: counted, neither stored nor served', async () => {
    const fresh = origin.addRelease({ f: randomBytes(2 * 16 * 1024) });
    const [bad, good] = distinctChunks(fresh.files['f']!.manifest);
    origin.corrupt.add(bad!.sha256);
    const before = await cache.status();
    const res = await fetch(`${cache.url}/v1/chunks/${bad!.sha256}`);
    expect(res.status).toBe(502);
    // In a pack: the stream ends before the refused chunk; nothing of it is sent.
    const got = [];
    for await (const r of new DeliveryClient(cache.url).chunks([good!.sha256, bad!.sha256]))
      got.push(r.sha256);
    expect(got).toEqual([good!.sha256]);
    const after = await cache.status();
    expect(after.refused['hash-mismatch']! - (before.refused['hash-mismatch'] ?? 0)).toBeGreaterThanOrEqual(
      2,
    );
    // Not stored: the next request asks the origin again, and gets the good bytes once fixed.
    origin.corrupt.delete(bad!.sha256);
    const fixed = await fetch(`${cache.url}/v1/chunks/${bad!.sha256}`);
    expect(fixed.status).toBe(200);
    await decompressChunk(Buffer.from(await fixed.arrayBuffer()), bad!);
    expect(origin.sent.get(bad!.sha256)).toBeGreaterThanOrEqual(3);
  });

  it('refuses bad names with a 400 naming the field', async () => {
    const cases: [string, RequestInit?][] = [
      ['/v1/chunks/not-a-sha'],
      [`/v1/chunks/${'A'.repeat(64)}`],
      ['/v1/manifests/..%2F..%2Fetc%2Fpasswd'],
      [`/v1/manifests/${'a'.repeat(64)}?base=x`],
      ['/v1/releases/..%2Fx/document'],
      ['/v1/channels/stable/..%2F..%2Fetc/amd64'],
      ['/v1/channels/.hidden/image/amd64'],
      [
        '/v1/chunks/fetch',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"chunks":["../x"]}' },
      ],
      [
        '/v1/chunks/fetch',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"chunks":[]}' },
      ],
    ];
    for (const [path, init] of cases) {
      const res = await fetch(`${cache.url}${path}`, init);
      const body = (await res.json()) as { 'invalid-params'?: { name: string; reason: string }[] };
      expect(res.status, path).toBe(400);
      expect(body['invalid-params']?.[0]?.reason, path).toBeTruthy();
    }
  });

  it('answers 404 naming the chunks the origin does not hold', async () => {
    const unknown = 'f'.repeat(64);
    const res = await fetch(`${cache.url}/v1/chunks/fetch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chunks: [chunksOf()[0]!.sha256, unknown] }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { missing: string[] }).missing).toEqual([unknown]);
    expect((await fetch(`${cache.url}/v1/chunks/${unknown}`)).status).toBe(404);
  });
});
