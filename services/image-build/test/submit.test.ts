import { createHash, randomUUID } from 'node:crypto';
import { bundleDigest } from '@muster/recipes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPlace,
  startImageBuild,
  type BuildPlace,
  type ImageBuild,
} from './fixtures/image-build-stack.js';
import { MARKER_SHA, tinyBundle } from './fixtures/tiny-bundle.js';

// Submission, listing and cancel of queued builds, with no worker: builds stay queued.
let place: BuildPlace;
let ib: ImageBuild;

beforeAll(async () => {
  place = await buildPlace();
  ib = await startImageBuild(place);
});
afterAll(async () => {
  await ib?.close();
  await place?.remove();
});

const fieldsOf = (body: { 'invalid-params'?: { name: string; in: string }[] }) =>
  (body['invalid-params'] ?? []).map((p) => `${p.in} ${p.name}`);

describe('POST /v1/builds', () => {
  it('queues a build with the digest of its recipe, and its job with the priority asked', async () => {
    const bundle = tinyBundle('submit-ok');
    const res = await ib.call('POST', '/v1/builds', { bundle, priority: 'high' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      buildId: expect.any(String) as unknown,
      recipeDigest: bundleDigest(bundle.recipe),
      state: 'queued',
    });
    const buildId = res.body['buildId'] as string;
    const detail = await ib.call('GET', `/v1/builds/${buildId}`);
    expect(detail.body).toMatchObject({
      buildId,
      recipeName: 'submit-ok',
      recipeVersion: '1.0.0',
      recipeDigest: bundleDigest(bundle.recipe),
      architecture: 'amd64',
      state: 'queued',
      phase: 'queued',
      attempt: 0,
      outputs: [],
      packageCount: 0,
    });
    await expect
      .poll(() => place.queue.inspect(buildId))
      .toMatchObject({
        state: 'prioritized',
        payload: { buildId, recipeDigest: bundleDigest(bundle.recipe) },
      });
    // The blob is stored once by its SHA-256, and the enqueue intent is gone once relayed.
    const blobs = await place.sql<{ sha256: string; bytes: Buffer }>('SELECT sha256, bytes FROM recipe_blob');
    expect(blobs.map((b) => [b.sha256, createHash('sha256').update(b.bytes).digest('hex')])).toEqual([
      [MARKER_SHA, MARKER_SHA],
    ]);
    await expect
      .poll(() => place.sql('SELECT * FROM build_enqueue WHERE build_id = $1', [buildId]))
      .toEqual([]);
  });

  it('refuses a bundle the schema refuses, naming the field', async () => {
    const bundle = tinyBundle('bad');
    const res = await ib.call('POST', '/v1/builds', {
      bundle: { ...bundle, recipe: { ...bundle.recipe, suite: 'buster' } },
      priority: 'urgent',
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(expect.arrayContaining(['body bundle.recipe.suite', 'body priority']));
  });

  it('refuses a blob whose bytes do not hash to its name, a missing blob and one the recipe does not name', async () => {
    const bundle = tinyBundle('bad-blobs');
    const wrong = await ib.call('POST', '/v1/builds', {
      bundle: { ...bundle, blobs: { [MARKER_SHA]: Buffer.from('something else').toString('base64') } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body['invalid-params']).toEqual([
      {
        name: `bundle.blobs.${MARKER_SHA}`,
        in: 'body',
        reason: expect.stringMatching(/^its bytes hash to [0-9a-f]{64}$/) as unknown,
      },
    ]);

    const missing = await ib.call('POST', '/v1/builds', { bundle: { ...bundle, blobs: {} } });
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing.body)).toEqual(['body bundle.recipe.files.0.blob']);

    const extraSha = createHash('sha256').update('extra').digest('hex');
    const extra = await ib.call('POST', '/v1/builds', {
      bundle: { ...bundle, blobs: { ...bundle.blobs, [extraSha]: Buffer.from('extra').toString('base64') } },
    });
    expect(extra.status).toBe(400);
    expect(fieldsOf(extra.body)).toEqual([`body bundle.blobs.${extraSha}`]);

    const neither = await ib.call('POST', '/v1/builds', {
      bundle: {
        ...bundle,
        recipe: { ...bundle.recipe, files: [{ path: '/etc/x', mode: '0644', owner: 'root' }] },
        blobs: {},
      },
    });
    expect(fieldsOf(neither.body)).toEqual(['body bundle.recipe.files.0']);
    expect(
      await place.sql(
        `SELECT 1 FROM build b JOIN recipe r ON r.digest = b.recipe_digest WHERE r.name = 'bad-blobs'`,
      ),
    ).toEqual([]);
  });

  it('refuses a package set that no succeeded build kept', async () => {
    const res = await ib.call('POST', '/v1/builds', {
      bundle: tinyBundle('pinned', { packageSet: randomUUID() }),
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['body bundle.recipe.packageSet']);
  });
});

describe('GET /v1/builds', () => {
  it('lists newest first, by state and by recipe name or digest, page by page', async () => {
    const a = tinyBundle('list-a');
    const ids: string[] = [];
    for (const bundle of [a, tinyBundle('list-b'), a]) {
      ids.push((await ib.call('POST', '/v1/builds', { bundle })).body['buildId'] as string);
    }
    const byName = await ib.call('GET', '/v1/builds?recipe=list-a');
    expect((byName.body['builds'] as { buildId: string }[]).map((b) => b.buildId)).toEqual([ids[2], ids[0]]);
    expect(byName.body['queue']).toEqual(expect.objectContaining({ waiting: expect.any(Number) as unknown }));
    const byDigest = await ib.call('GET', `/v1/builds?recipe=${bundleDigest(a.recipe)}&limit=1`);
    expect((byDigest.body['builds'] as { buildId: string }[]).map((b) => b.buildId)).toEqual([ids[2]]);
    const next = await ib.call(
      'GET',
      `/v1/builds?recipe=${bundleDigest(a.recipe)}&limit=1&after=${byDigest.body['next'] as string}`,
    );
    expect((next.body['builds'] as { buildId: string }[]).map((b) => b.buildId)).toEqual([ids[0]]);
    const failed = await ib.call('GET', '/v1/builds?state=failed');
    expect(failed.body['builds']).toEqual([]);
    expect((await ib.call('GET', '/v1/builds?state=done')).status).toBe(400);
  });
});

describe('POST /v1/builds/{id}/cancel', () => {
  it('cancels a queued build at once and removes its job; a second cancel is a conflict', async () => {
    const buildId = (await ib.call('POST', '/v1/builds', { bundle: tinyBundle('cancel-queued') })).body[
      'buildId'
    ] as string;
    await expect.poll(() => place.queue.inspect(buildId)).toBeDefined();
    const res = await ib.call('POST', `/v1/builds/${buildId}/cancel`);
    expect(res).toEqual({ status: 202, body: { state: 'cancelled' } });
    await expect(place.queue.inspect(buildId)).resolves.toBeUndefined();
    expect((await ib.call('GET', `/v1/builds/${buildId}`)).body).toMatchObject({
      state: 'cancelled',
      finishedAt: expect.any(String) as unknown,
    });
    const again = await ib.call('POST', `/v1/builds/${buildId}/cancel`);
    expect(again.status).toBe(409);
  });

  it('answers 404 for an unknown build, here and on every route of a build', async () => {
    const id = randomUUID();
    for (const [method, path] of [
      ['POST', `/v1/builds/${id}/cancel`],
      ['GET', `/v1/builds/${id}`],
      ['GET', `/v1/builds/${id}/provenance`],
      ['GET', `/v1/builds/${id}/sbom`],
      ['GET', `/v1/builds/${id}/packages`],
      ['GET', `/v1/builds/${id}/log`],
    ] as const) {
      expect((await ib.call(method, path)).status, `${method} ${path}`).toBe(404);
    }
  });

  it('has no provenance, SBOM or packages before a build succeeded', async () => {
    const buildId = (await ib.call('POST', '/v1/builds', { bundle: tinyBundle('not-yet') })).body[
      'buildId'
    ] as string;
    const provenance = await ib.call('GET', `/v1/builds/${buildId}/provenance`);
    expect(provenance.status).toBe(404);
    expect(provenance.body['detail']).toMatch(/only a build that succeeded has one/);
    expect(await ib.call('GET', `/v1/builds/${buildId}/packages`)).toEqual({
      status: 200,
      body: { packages: [] },
    });
  });
});
