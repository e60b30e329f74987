import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BuildPhase, ImageBuildFailedSchema, streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { readSubject } from '@muster/messaging/testing';
import { buildPlace, startImageBuild, type BuildPlace, type Json } from './fixtures/image-build-stack.js';
import { tinyBundle } from './fixtures/tiny-bundle.js';

// How a try that fails ends: a retryable failure waits in the queue for the next try, a recipe
// fault fails the build at once. Both fail early, so no whole build is made here.
let place: BuildPlace;
let bus: BusConnection;

beforeAll(async () => {
  place = await buildPlace();
  bus = await BusConnection.connect({ servers: [inject('servers').nats.url], name: 'ib-fail-test', streams });
});
afterAll(async () => {
  await bus?.close();
  await place?.remove();
});

describe('a failed try', () => {
  it('that may succeed later (too little disk) puts the build back in the queue with its error', async () => {
    const ib = await startImageBuild(place, {
      MUSTER_BUILD_WORKER: 'on',
      MUSTER_BUILD_MIN_FREE_BYTES: String(2 ** 50),
    });
    try {
      const buildId = (await ib.call('POST', '/v1/builds', { bundle: tinyBundle('no-room') })).body[
        'buildId'
      ] as string;
      await expect
        .poll(async () => (await ib.call('GET', `/v1/builds/${buildId}`)).body, { timeout: 30_000 })
        .toMatchObject({
          state: 'queued',
          attempt: 1,
          retryable: true,
          error: expect.stringMatching(
            /^attempt 1 failed in preparing: not enough free disk space/,
          ) as unknown,
        });
      await expect
        .poll(() => place.queue.inspect(buildId))
        .toMatchObject({ state: 'delayed', attemptsMade: 1 });
      // Waiting for its next try, it is cancelled at once.
      expect(await ib.call('POST', `/v1/builds/${buildId}/cancel`)).toEqual({
        status: 202,
        body: { state: 'cancelled' },
      });
      await expect(place.queue.inspect(buildId)).resolves.toBeUndefined();
    } finally {
      await ib.close();
    }
  });

  it('that the recipe causes (a package the mirror does not have) fails the build with ImageBuildFailed', async () => {
    const ib = await startImageBuild(place, { MUSTER_BUILD_WORKER: 'on' });
    try {
      const bundle = tinyBundle('missing-package', {
        packages: { install: ['no-such-package-muster'], remove: [] },
      });
      const buildId = (await ib.call('POST', '/v1/builds', { bundle })).body['buildId'] as string;
      let build: Json = {};
      await expect
        .poll(async () => (build = (await ib.call('GET', `/v1/builds/${buildId}`)).body)['state'], {
          timeout: 120_000,
          interval: 500,
        })
        .toBe('failed');
      expect(build).toMatchObject({
        attempt: 1,
        phase: 'bootstrapping',
        retryable: false,
        error: expect.stringContaining('no-such-package-muster') as unknown,
      });
      await expect
        .poll(() => place.queue.inspect(buildId))
        .toMatchObject({ state: 'failed', attemptsMade: 1 });
      const failed = await readSubject(bus, 'IMAGES', `muster.image.build.${buildId}.failed.v1`);
      expect(failed.map((m) => fromBinary(ImageBuildFailedSchema, m.data))).toMatchObject([
        { buildId, phase: BuildPhase.BOOTSTRAPPING, retryable: false },
      ]);
    } finally {
      await ib.close();
    }
  });
});
