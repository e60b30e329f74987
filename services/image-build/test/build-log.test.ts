import { randomUUID } from 'node:crypto';
import { bundleDigest } from '@muster/recipes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorFetch } from '@muster/runtime/testing';
import {
  buildPlace,
  startImageBuild,
  type BuildPlace,
  type ImageBuild,
} from './fixtures/image-build-stack.js';
import { readEvents, type SseEvent } from './fixtures/sse-reader.js';
import { tinyBundle } from './fixtures/tiny-bundle.js';

// GET /v1/builds/{id}/log: what is stored from where the reader asks, then what comes, then `end`.
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

async function runningBuild(lines: number): Promise<string> {
  const recipe = tinyBundle('logged').recipe;
  const digest = bundleDigest(recipe);
  const buildId = randomUUID();
  await place.sql(`INSERT INTO recipe (digest, name, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
    digest,
    recipe.name,
    JSON.stringify(recipe),
  ]);
  await place.sql(
    `INSERT INTO build (build_id, recipe_digest, state, phase, percent, phase_message)
     VALUES ($1, $2, 'running', 'bootstrapping', 10, 'mmdebstrap')`,
    [buildId, digest],
  );
  await addLines(buildId, 1, lines);
  return buildId;
}

const addLines = (buildId: string, from: number, to: number) =>
  place.sql(
    `INSERT INTO build_log (build_id, seq, at, line) SELECT $1, n, now(), 'line ' || n FROM generate_series($2::int, $3::int) n`,
    [buildId, from, to],
  );

const logLines = (events: SseEvent[]) =>
  events.filter((e) => e.event === 'log').map((e) => [e.id, (e.data as { line: string }).line]);

describe('the build log stream', () => {
  it('replays after Last-Event-ID, follows the build live, and ends once it has ended', async () => {
    const buildId = await runningBuild(5);
    const res = await operatorFetch(ib.service, `/v1/builds/${buildId}/log`, {
      headers: { 'last-event-id': '2' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let wrote = false;
    const events = await readEvents(res, (_e, all) => {
      // Once the replay and the phase are in, the build moves on and ends.
      if (!wrote && all.some((x) => x.event === 'phase')) {
        wrote = true;
        void (async () => {
          await addLines(buildId, 6, 7);
          await place.sql(
            `UPDATE build SET phase = 'packaging', percent = 70, phase_message = 'squashfs' WHERE build_id = $1`,
            [buildId],
          );
          await addLines(buildId, 8, 8);
          await place.sql(`UPDATE build SET state = 'succeeded', percent = 100 WHERE build_id = $1`, [
            buildId,
          ]);
        })();
      }
    });
    expect(logLines(events)).toEqual([
      ['3', 'line 3'],
      ['4', 'line 4'],
      ['5', 'line 5'],
      ['6', 'line 6'],
      ['7', 'line 7'],
      ['8', 'line 8'],
    ]);
    expect(events.filter((e) => e.event === 'phase').map((e) => e.data)[0]).toEqual({
      phase: 'bootstrapping',
      percent: 10,
      message: 'mmdebstrap',
    });
    expect(
      events.filter((e) => e.event === 'phase').map((e) => (e.data as { phase: string }).phase),
    ).toContain('packaging');
    expect(events.at(-1)).toEqual({ event: 'end', data: { state: 'succeeded' } });
    expect(events[0]!.data).toEqual({ seq: 3, at: expect.any(String) as unknown, line: 'line 3' });
  });

  it('replays after ?after= an ended build from the start of what is asked, then ends', async () => {
    const buildId = await runningBuild(3);
    await place.sql(`UPDATE build SET state = 'failed' WHERE build_id = $1`, [buildId]);
    const res = await operatorFetch(ib.service, `/v1/builds/${buildId}/log?after=1`);
    const events = await readEvents(res);
    expect(logLines(events)).toEqual([
      ['2', 'line 2'],
      ['3', 'line 3'],
    ]);
    expect(events.at(-1)).toEqual({ event: 'end', data: { state: 'failed' } });
  });

  it('refuses a Last-Event-ID that is not a line number', async () => {
    const buildId = await runningBuild(1);
    const res = await operatorFetch(ib.service, `/v1/builds/${buildId}/log`, {
      headers: { 'last-event-id': 'abc' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { 'invalid-params': unknown[] })['invalid-params']).toEqual([
      expect.objectContaining({ name: 'Last-Event-ID', in: 'header' }),
    ]);
  });
});
