import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  contracts,
  decode,
  OutputKind,
  SiteCacheAnnouncedSchema,
  SiteCachePrefetchRequestedSchema,
} from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { readSubject, until } from '@muster/messaging/testing';
import { startArtifactStack, type ArtifactStack } from './fixtures/artifact-stack.js';
import { fileBytes } from './fixtures/squashfs-image.js';

// Site caches as the store knows them (their announcements, newest kept) and the request that
// makes a site's caches pre-stage a release.
let stack: ArtifactStack;

beforeAll(async () => {
  stack = await startArtifactStack();
});
afterAll(async () => {
  await stack?.close();
});

const announce = (seq: bigint, usedBytes: bigint, cacheId = 'berlin-1') =>
  new EventPublisher(stack.bus, '/muster/site-cache').publish(
    contracts.siteCacheAnnounced,
    { cacheId },
    create(SiteCacheAnnouncedSchema, {
      cacheId,
      siteId: cacheId,
      url: 'http://10.1.0.5:8089',
      capacityBytes: 100n << 30n,
      usedBytes,
      chunkCount: 10n,
      hitRatio: 0.75,
      bytesServed: 1000n,
      originBytes: 250n,
      at: timestampNow(),
      seq,
    }),
  );

describe('site caches', () => {
  it('are listed with their last announcement; an older one arriving late changes nothing', async () => {
    await announce(3n, 4096n);
    await announce(1n, 1024n);
    // Handled in order: once the marker is in, the late announcement has been handled too.
    await announce(1n, 1n, 'marker');
    await until(
      async () => (await stack.sql(`SELECT 1 FROM site_cache WHERE cache_id = 'marker'`)).length > 0,
    );
    const listed = await stack.call('GET', '/v1/site-caches?site=berlin-1');
    expect(listed.body).toMatchObject({
      siteCaches: [
        {
          cacheId: 'berlin-1',
          siteId: 'berlin-1',
          url: 'http://10.1.0.5:8089',
          status: { usedBytes: 4096, hitRatio: 0.75, originBytes: 250 },
        },
      ],
    });
    expect((await stack.call('GET', '/v1/site-caches?site=bad%20site')).status).toBe(400);
  });

  it('are asked to pre-stage a published release, never an unknown one', async () => {
    const releaseId = await stack.releaseOf(
      await stack.completeBuild('stage', [
        { name: 'vmlinuz', kind: OutputKind.KERNEL, bytes: fileBytes('s', 9000) },
      ]),
    );
    const asked = await stack.call('POST', '/v1/site-caches/prefetch', { siteId: 'berlin-1', releaseId });
    expect(asked).toMatchObject({ status: 202, body: { siteId: 'berlin-1', releaseId, requested: true } });
    const [request] = (
      await readSubject(
        stack.bus,
        'SITE_CACHES',
        contracts.siteCachePrefetchRequested.pattern({ siteId: 'berlin-1', releaseId }),
      )
    ).map((m) => decode(SiteCachePrefetchRequestedSchema, m.data));
    expect(request).toMatchObject({ siteId: 'berlin-1', releaseId });
    const unknown = await stack.call('POST', '/v1/site-caches/prefetch', {
      siteId: 'berlin-1',
      releaseId: '6f1c2a8e-0d7b-4c1e-9a55-3b2f0e7d9c11',
    });
    expect(unknown.status).toBe(404);
  });
});
