import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { bundleDigest } from '@muster/recipes';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BusConnection } from '@muster/messaging';
import { readSubject } from '@muster/messaging/testing';
import { createJobWorker, UnrecoverableJobError } from '@muster/jobs';
import { ImageBuildFailedSchema, streams } from '@muster/contracts';
import { buildJob } from '../src/builds/build-job.js';
import { buildQueueConnection } from '../src/builds/build-queue.provider.js';
import { buildPlace, startImageBuild, type BuildPlace } from './fixtures/image-build-stack.js';
import { tinyBundle } from './fixtures/tiny-bundle.js';

// The queue follows the database: what a crash between the commit and Redis left behind is put
// right when an instance starts.
let place: BuildPlace;
let bus: BusConnection;

beforeAll(async () => {
  place = await buildPlace();
  bus = await BusConnection.connect({ servers: [inject('servers').nats.url], name: 'ib-test', streams });
  // A first start creates the schema; the rows below are what a crashed instance left.
  await (await startImageBuild(place)).close();
});
afterAll(async () => {
  await bus?.close();
  await place?.remove();
});

async function insertBuild(state: string, opts: { intent?: boolean } = {}): Promise<string> {
  const recipe = tinyBundle('left-behind').recipe;
  const digest = bundleDigest(recipe);
  const buildId = randomUUID();
  await place.sql(
    `INSERT INTO recipe (digest, name, body) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING`,
    [digest, recipe.name, JSON.stringify(recipe)],
  );
  await place.sql(`INSERT INTO build (build_id, recipe_digest, state, phase) VALUES ($1, $2, $3, 'queued')`, [
    buildId,
    digest,
    state,
  ]);
  if (opts.intent)
    await place.sql('INSERT INTO build_enqueue (build_id, priority) VALUES ($1, 2)', [buildId]);
  return buildId;
}

describe('image-build at start', () => {
  it('enqueues a committed build whose enqueue never happened, and a queued build Redis lost', async () => {
    const committed = await insertBuild('queued', { intent: true });
    const lost = await insertBuild('queued');
    expect(await place.queue.inspect(committed)).toBeUndefined();
    expect(await place.queue.inspect(lost)).toBeUndefined();

    const ib = await startImageBuild(place);
    try {
      await expect.poll(() => place.queue.inspect(committed)).toMatchObject({ state: 'prioritized' });
      await expect.poll(() => place.queue.inspect(lost)).toMatchObject({ state: 'prioritized' });
      await expect.poll(() => place.sql('SELECT build_id FROM build_enqueue')).toEqual([]);
    } finally {
      await ib.close();
    }
  });

  it('records as failed (with ImageBuildFailed) a build whose job failed for good while no one was told', async () => {
    const buildId = await insertBuild('running');
    const recipeDigest = bundleDigest(tinyBundle('left-behind').recipe);
    await place.queue.enqueue({ buildId, recipeDigest }, { jobId: buildId, priority: 2 });
    // A worker that fails the job for good without touching the database: as one killed right after.
    const worker = createJobWorker(
      buildQueueConnection(inject('servers').redis.url, place.schema),
      buildJob,
      () => {
        throw new UnrecoverableJobError('job stalled more than allowable limit');
      },
    );
    await expect.poll(() => place.queue.inspect(buildId)).toMatchObject({ state: 'failed' });
    await worker.close();

    const ib = await startImageBuild(place);
    try {
      await expect
        .poll(async () => (await ib.call('GET', `/v1/builds/${buildId}`)).body)
        .toMatchObject({ state: 'failed', error: 'job stalled more than allowable limit', retryable: false });
      const subject = `muster.image.build.${buildId}.failed.v1`;
      await expect.poll(async () => (await readSubject(bus, 'IMAGES', subject)).length).toBe(1);
      const [event] = await readSubject(bus, 'IMAGES', subject);
      expect(fromBinary(ImageBuildFailedSchema, event!.data)).toMatchObject({
        buildId,
        recipeName: 'left-behind',
        error: 'job stalled more than allowable limit',
        retryable: false,
        revision: 1n,
      });
    } finally {
      await ib.close();
    }
  });

  it('cancels a build left cancelling whose job is gone', async () => {
    const buildId = await insertBuild('cancelling');
    const ib = await startImageBuild(place);
    try {
      await expect
        .poll(async () => (await ib.call('GET', `/v1/builds/${buildId}`)).body['state'])
        .toBe('cancelled');
    } finally {
      await ib.close();
    }
  });
});
