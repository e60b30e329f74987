import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ImageBuildFailedSchema, streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { readSubject } from '@muster/messaging/testing';
import {
  buildPlace,
  startImageBuild,
  type BuildPlace,
  type ImageBuild,
  type Json,
} from './fixtures/image-build-stack.js';
import { killTree } from './fixtures/process-tree.js';
import { tinyBundle } from './fixtures/tiny-bundle.js';
import { startWorkerProcess, type WorkerProcess } from './fixtures/worker-process.js';

// A worker killed mid-build (SIGKILL, with every tool it runs: as when its pod dies) never
// leaves the build running: its lock lapses, the build is tried again by the next worker; a
// build whose worker dies once more fails for good, with ImageBuildFailed.
const LOCK_SECONDS = 3;
let place: BuildPlace;
let api: ImageBuild;
let bus: BusConnection;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  place = await buildPlace();
  api = await startImageBuild(place);
  bus = await BusConnection.connect({ servers: [inject('servers').nats.url], name: 'ib-kill-test', streams });
});
afterAll(async () => {
  // A worker left running (a failed test) goes with every tool it runs.
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) await killTree(w.pid);
  await api?.close();
  await bus?.close();
  await place?.remove();
});

/** The service as a process of its own, taking builds; a lapsed lock is seen within seconds. */
async function startWorker(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess(place, { MUSTER_BUILD_LOCK_SECONDS: String(LOCK_SECONDS) });
  workers.push(worker);
  return worker;
}

const detail = async (buildId: string): Promise<Json> =>
  (await api.call('GET', `/v1/builds/${buildId}`)).body;

/** Waits until `worker` runs try `attempt` of the build, past its start. */
async function runningOn(buildId: string, worker: WorkerProcess, attempt: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const b = await detail(buildId);
        return b['attempt'] === attempt && b['state'] === 'running' && b['phase'] === 'bootstrapping';
      },
      { timeout: 120_000, interval: 200 },
    )
    .toBe(true);
  const rows = await place.sql<{ worker: string }>('SELECT worker FROM build WHERE build_id = $1', [buildId]);
  expect(rows[0]?.worker).toMatch(new RegExp(`:${worker.pid}$`));
}

describe('a worker killed mid-build', () => {
  it('is replaced: the build is tried again, and fails for good once a second worker dies', async () => {
    const buildId = (await api.call('POST', '/v1/builds', { bundle: tinyBundle('killed') })).body[
      'buildId'
    ] as string;

    const first = await startWorker();
    await runningOn(buildId, first, 1);
    await killTree(first.pid);
    expect(await detail(buildId)).toMatchObject({ state: 'running', attempt: 1 });

    // The next worker removes what the first left and, once the lock has lapsed, runs the build again.
    const second = await startWorker();
    await runningOn(buildId, second, 2);
    expect(await second.log()).toContain(`removed the work directories of ${buildId}`);
    await killTree(second.pid);

    // A job may stall once: the third worker fails it for good, and says so.
    const third = await startWorker();
    await expect
      .poll(async () => (await detail(buildId))['state'], { timeout: 120_000, interval: 500 })
      .toBe('failed');
    expect(await detail(buildId)).toMatchObject({
      attempt: 2,
      error: 'job stalled more than allowable limit',
      retryable: false,
    });
    await expect(place.queue.inspect(buildId)).resolves.toMatchObject({ state: 'failed' });
    const failed = await readSubject(bus, 'IMAGES', `muster.image.build.${buildId}.failed.v1`);
    expect(failed.map((m) => fromBinary(ImageBuildFailedSchema, m.data))).toMatchObject([
      { buildId, error: 'job stalled more than allowable limit', retryable: false },
    ]);
    const stopped = await third.stop('SIGTERM', 30_000);
    expect(stopped.code === 0 || stopped.signal === 'SIGTERM').toBe(true);
  }, 600_000);
});
