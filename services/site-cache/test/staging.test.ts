import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { build, contracts, decode, streams } from '@muster/contracts';
import { BusConnection, EventPublisher } from '@muster/messaging';
import { readSubject, until } from '@muster/messaging/testing';
import { operatorFetch } from '@muster/runtime/testing';
import { decompressChunk, DeliveryClient, distinctChunks } from '@muster/chunks';
import { cachePlace, startSiteCache, type CachePlace } from './fixtures/site-cache.js';
import { TestOrigin } from './fixtures/test-origin.js';

let origin: TestOrigin;
const places: CachePlace[] = [];
let bus: BusConnection;

beforeAll(async () => {
  origin = new TestOrigin();
  await origin.start();
  bus = await BusConnection.connect({
    servers: [inject('servers').nats.url],
    name: 'site-cache-test',
    streams,
  });
});
afterAll(async () => {
  await origin?.stop();
  await bus?.close();
  for (const place of places) await place.remove();
});

async function place(): Promise<CachePlace> {
  const p = await cachePlace();
  places.push(p);
  return p;
}

describe('the site cache on its disk', () => {
  it('evicts the least recently used chunks to stay under its limit', async () => {
    const release = origin.addRelease({ f: randomBytes(12 * 16 * 1024) });
    const chunks = distinctChunks(release.files['f']!.manifest);
    const limit = 5 * (chunks[0]!.storedLength + 64);
    const cache = await startSiteCache(await place(), origin.url, {
      MUSTER_SITE_CACHE_MAX_BYTES: String(limit),
    });
    try {
      for (const chunk of chunks)
        expect((await fetch(`${cache.url}/v1/chunks/${chunk.sha256}`)).status).toBe(200);
      const status = await cache.status();
      expect(status.usedBytes).toBeLessThanOrEqual(limit);
      expect(status.evictions).toBeGreaterThanOrEqual(chunks.length - 5);
      // The last one is held, the first was evicted and is read through again.
      await fetch(`${cache.url}/v1/chunks/${chunks.at(-1)!.sha256}`);
      await fetch(`${cache.url}/v1/chunks/${chunks[0]!.sha256}`);
      expect(origin.sent.get(chunks.at(-1)!.sha256)).toBe(1);
      expect(origin.sent.get(chunks[0]!.sha256)).toBe(2);
    } finally {
      await cache.close();
    }
  });

  it('keeps its index across a restart, and serves a prefetched release with the origin stopped', async () => {
    const release = origin.addRelease({
      'root.squashfs': randomBytes(30 * 16 * 1024),
      kernel: randomBytes(40_000),
    });
    const at = await place();
    let cache = await startSiteCache(at, origin.url, { MUSTER_SITE_CACHE_PREFETCH_BATCH: '7' });
    const started = await operatorFetch(cache.service, '/v1/prefetch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ releaseId: release.releaseId }),
    });
    expect(started.status).toBe(202);
    await until(async () => {
      const res = await operatorFetch(cache.service, `/v1/prefetch/${release.releaseId}`);
      return ((await res.json()) as { state: string }).state !== 'running';
    });
    const progress = (await (
      await operatorFetch(cache.service, `/v1/prefetch/${release.releaseId}`)
    ).json()) as {
      state: string;
      chunks: number;
      fetched: number;
    };
    const all = Object.values(release.files).flatMap((f) => distinctChunks(f.manifest));
    expect(progress).toMatchObject({ state: 'done', chunks: all.length, fetched: all.length });
    await cache.close();
    await origin.stop();
    try {
      cache = await startSiteCache(at, origin.url);
      expect((await cache.status()).chunkCount).toBe(all.length);
      const client = new DeliveryClient(cache.url);
      const got = [];
      for await (const record of client.chunks(all.map((c) => c.sha256))) {
        await decompressChunk(
          record.stored,
          all.find((c) => c.sha256 === record.sha256)!,
        );
        got.push(record.sha256);
      }
      expect(got).toHaveLength(all.length);
      for (const chunk of all.slice(0, 3)) await decompressChunk(await client.chunk(chunk.sha256), chunk);
      for (const file of Object.values(release.files)) await client.manifest(file.manifestId);
      const document = await fetch(`${cache.url}/v1/releases/${release.releaseId}/document`);
      expect(document.status).toBe(200);
      expect(document.headers.get('muster-cache')).toMatch(/^stale/);
      expect(Buffer.from(await document.arrayBuffer())).toEqual(release.document);
      // What it does not hold, it cannot serve: a 503 problem, not a hang.
      expect((await fetch(`${cache.url}/v1/chunks/${'e'.repeat(64)}`)).status).toBe(503);
      await cache.close();
    } finally {
      await origin.start();
    }
  });
});

describe('the site cache on the bus', () => {
  it('announces itself with its site, and prefetches a release when the bus asks', async () => {
    const at = await place();
    const cache = await startSiteCache(at, origin.url);
    try {
      const subject = contracts.siteCacheAnnounced.subject({ cacheId: at.siteId });
      await until(async () => (await readSubject(bus, 'SITE_CACHES', subject)).length > 0);
      const [message] = await readSubject(bus, 'SITE_CACHES', subject);
      const announced = decode(contracts.siteCacheAnnounced.schema, message!.data);
      expect(announced).toMatchObject({
        cacheId: at.siteId,
        siteId: at.siteId,
        url: 'http://cache.site.test:8089',
      });

      const release = origin.addRelease({ f: randomBytes(6 * 16 * 1024) });
      await new EventPublisher(bus, '/muster/scheduler').publish(
        contracts.siteCachePrefetchRequested,
        { siteId: at.siteId, releaseId: release.releaseId },
        build(contracts.siteCachePrefetchRequested.schema, {
          releaseId: release.releaseId,
          siteId: at.siteId,
          requestedAt: timestampNow(),
        }),
      );
      await until(async () => {
        const res = await operatorFetch(cache.service, `/v1/prefetch/${release.releaseId}`);
        return res.status === 200 && ((await res.json()) as { state: string }).state === 'done';
      });
      for (const chunk of distinctChunks(release.files['f']!.manifest))
        expect(origin.sent.get(chunk.sha256)).toBe(1);
    } finally {
      await cache.close();
    }
  });
});
