import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ImageBuildCompletedSchema, ImageBuildProgressSchema, OutputKind, streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { readSubject } from '@muster/messaging/testing';
import { S3ObjectStore } from '@muster/object-store';
import { operatorFetch } from '@muster/runtime/testing';
import {
  buildPlace,
  startImageBuild,
  type BuildPlace,
  type ImageBuild,
  type Json,
} from './fixtures/image-build-stack.js';
import { killTree } from './fixtures/process-tree.js';
import { readEvents } from './fixtures/sse-reader.js';
import { tinyBundle } from './fixtures/tiny-bundle.js';
import { startWorkerProcess, type WorkerProcess } from './fixtures/worker-process.js';

// Real builds (mmdebstrap from deb.debian.org as the build user), run by the service as a
// process of its own, as it is deployed; the routes are served by an instance without a worker.
// A build takes about two minutes on this machine: the first, its rebuild from the packages it
// kept, and one cancelled early.
const BUILD_TIMEOUT_MS = 400_000;
let place: BuildPlace;
let ib: ImageBuild;
let bus: BusConnection;
let s3: S3ObjectStore;
const workers: WorkerProcess[] = [];
/** The first build, which the rebuild builds again from its package set. */
let first: { buildId: string; outputs: { fileName: string; sha256: string }[] } | undefined;

beforeAll(async () => {
  place = await buildPlace();
  ib = await startImageBuild(place);
  const servers = inject('servers');
  bus = await BusConnection.connect({ servers: [servers.nats.url], name: 'ib-real-test', streams });
  s3 = new S3ObjectStore({ ...servers.s3, pathStyle: true });
});
afterAll(async () => {
  // A worker left running (a failed test) goes with every tool it runs.
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) await killTree(w.pid);
  await ib?.close();
  await bus?.close();
  await place?.remove();
});

async function sha256Of(body: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function submit(name: string): Promise<string> {
  const res = await ib.call('POST', '/v1/builds', { bundle: tinyBundle(name) });
  expect(res.status).toBe(202);
  return res.body['buildId'] as string;
}

const detail = async (buildId: string): Promise<Json> => (await ib.call('GET', `/v1/builds/${buildId}`)).body;

async function worker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess(place);
  workers.push(w);
  return w;
}

const untilBootstrapping = (buildId: string) =>
  expect
    .poll(async () => (await detail(buildId))['phase'], { timeout: BUILD_TIMEOUT_MS, interval: 200 })
    .toBe('bootstrapping');

describe('a real build', () => {
  it(
    'succeeds with its outputs in S3 as hashed, its packages kept, provenance, SBOM, log and ImageBuildCompleted — through a SIGTERM of its worker',
    async () => {
      const w = await worker();
      const buildId = await submit('real');
      const log = readEvents(await operatorFetch(ib.service, `/v1/builds/${buildId}/log`));
      await untilBootstrapping(buildId);
      const waiting = await submit('waiting');
      // Scale-down: the worker takes no more builds and lets the running one finish, however long.
      const exited = w.stop('SIGTERM', BUILD_TIMEOUT_MS);
      await expect
        .poll(async () => (await detail(buildId))['state'], { timeout: BUILD_TIMEOUT_MS, interval: 1_000 })
        .toBe('succeeded');
      const exit = await exited;
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      expect(await detail(waiting)).toMatchObject({ state: 'queued', attempt: 0 });
      expect(await ib.call('POST', `/v1/builds/${waiting}/cancel`)).toEqual({
        status: 202,
        body: { state: 'cancelled' },
      });

      const build = await detail(buildId);
      expect(build).toMatchObject({ state: 'succeeded', percent: 100, attempt: 1 });
      const outputs = build['outputs'] as {
        kind: string;
        fileName: string;
        objectKey: string;
        sha256: string;
        sizeBytes: number;
      }[];
      expect(outputs.map((o) => o.kind).sort()).toEqual(['squashfs', 'tarball']);
      for (const o of outputs) {
        expect(o.objectKey).toBe(`builds/${buildId}/${o.fileName}`);
        expect(await sha256Of(await s3.get(place.bucket, o.objectKey))).toEqual({
          sha256: o.sha256,
          size: o.sizeBytes,
        });
      }

      const completed = await readSubject(bus, 'IMAGES', `muster.image.build.${buildId}.completed.v1`);
      expect(completed).toHaveLength(1);
      const event = fromBinary(ImageBuildCompletedSchema, completed[0]!.data);
      expect(event).toMatchObject({
        buildId,
        recipeName: 'real',
        recipeDigest: build['recipeDigest'],
        architecture: 'amd64',
      });
      expect(event.outputs.map((o) => [o.kind, o.objectKey, o.sha256, Number(o.sizeBytes)]).sort()).toEqual(
        outputs
          .map((o) => [
            o.kind === 'squashfs' ? OutputKind.SQUASHFS : OutputKind.TARBALL,
            o.objectKey,
            o.sha256,
            o.sizeBytes,
          ])
          .sort(),
      );
      const progress = (await readSubject(bus, 'IMAGES', `muster.image.build.${buildId}.progress.v1`)).map(
        (m) => fromBinary(ImageBuildProgressSchema, m.data),
      );
      const revisions = progress.map((p) => p.revision);
      expect(revisions.length).toBeGreaterThan(1);
      expect(revisions).toEqual([...revisions].sort((a, b) => (a < b ? -1 : 1)));
      expect(new Set(revisions).size).toBe(revisions.length);
      expect(event.revision).toBeGreaterThan(revisions.at(-1)!);

      const provenance = await ib.call('GET', `/v1/builds/${buildId}/provenance`);
      expect(provenance.body).toMatchObject({
        format: 'muster.provenance.v1',
        buildId,
        recipe: { name: 'real' },
      });
      const storedProvenance = await bytesOf(await s3.get(place.bucket, `builds/${buildId}/provenance.json`));
      expect(JSON.parse(storedProvenance.toString('utf8'))).toEqual(provenance.body);
      const sbom = await operatorFetch(ib.service, `/v1/builds/${buildId}/sbom`);
      expect(sbom.headers.get('content-type')).toMatch(/^application\/vnd\.cyclonedx\+json/);
      expect(await sbom.json()).toMatchObject({ bomFormat: 'CycloneDX' });

      const packages = (await ib.call('GET', `/v1/builds/${buildId}/packages`)).body['packages'] as {
        name: string;
        sha256: string;
        sizeBytes: number;
      }[];
      expect(packages.length).toBe(build['packageCount']);
      // Each record keeps the archive's stanza, which a rebuild from kept packages serves as its index.
      const stanzas = await place.sql<{ name: string; stanza: string }>(
        'SELECT name, stanza FROM build_package WHERE build_id = $1',
        [buildId],
      );
      expect(stanzas).toHaveLength(packages.length);
      for (const r of stanzas)
        expect(r.stanza).toMatch(new RegExp(`^Package: ${r.name.replaceAll('+', '\\+')}\n`));
      const zstd = packages.find((p) => p.name === 'zstd');
      expect(zstd).toBeDefined();
      const deb = `packages/sha256/${zstd!.sha256.slice(0, 2)}/${zstd!.sha256}.deb`;
      expect(await sha256Of(await s3.get(place.bucket, deb))).toEqual({
        sha256: zstd!.sha256,
        size: zstd!.sizeBytes,
      });

      const events = await log;
      expect(events.at(-1)).toEqual({ event: 'end', data: { state: 'succeeded' } });
      expect(events.filter((e) => e.event === 'log').length).toBeGreaterThan(10);
      expect(await exists(join(place.workDir, buildId))).toBe(false);
      first = { buildId, outputs };
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'is built again from the package set it kept, to the same bytes, with no package stored twice',
    async () => {
      expect(first).toBeDefined();
      await worker();
      const res = await ib.call('POST', '/v1/builds', {
        bundle: tinyBundle('real', { packageSet: first!.buildId }),
      });
      expect(res.status).toBe(202);
      const buildId = res.body['buildId'] as string;
      await expect
        .poll(async () => (await detail(buildId))['state'], { timeout: BUILD_TIMEOUT_MS, interval: 1_000 })
        .toBe('succeeded');
      const outputs = (await detail(buildId))['outputs'] as { fileName: string; sha256: string }[];
      expect(outputs.map((o) => [o.fileName, o.sha256]).sort()).toEqual(
        first!.outputs.map((o) => [o.fileName, o.sha256]).sort(),
      );
      expect((await ib.call('GET', `/v1/builds/${buildId}/provenance`)).body).toMatchObject({
        packageSet: { source: 'kept', fromBuild: first!.buildId },
      });
      const lines = await place.sql<{ line: string }>(
        `SELECT line FROM build_log WHERE build_id = $1 AND line LIKE 'kept % packages %'`,
        [buildId],
      );
      expect(lines.map((l) => l.line)).toEqual([
        expect.stringMatching(/^kept \d+ packages \(0 not kept before\)$/),
      ]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'is cancelled while it runs: the builder stops, its work directory is removed, it ends cancelled',
    async () => {
      const w = workers.at(-1)!;
      const buildId = await submit('cancelled');
      await untilBootstrapping(buildId);
      expect(await exists(join(place.workDir, buildId))).toBe(true);
      const cancel = await ib.call('POST', `/v1/builds/${buildId}/cancel`);
      expect(cancel).toEqual({ status: 202, body: { state: 'cancelling' } });
      await expect.poll(async () => (await detail(buildId))['state'], { timeout: 30_000 }).toBe('cancelled');
      expect(await exists(join(place.workDir, buildId))).toBe(false);
      const objects: string[] = [];
      for await (const o of s3.list(place.bucket, `builds/${buildId}/`)) objects.push(o.key);
      expect(objects).toEqual([]);
      const events = await readEvents(await operatorFetch(ib.service, `/v1/builds/${buildId}/log`));
      expect(events.filter((e) => e.event === 'log').at(-1)?.data).toMatchObject({
        line: '== cancelled by request',
      });
      expect(events.at(-1)).toEqual({ event: 'end', data: { state: 'cancelled' } });
      await w.stop('SIGTERM', 30_000);
    },
    BUILD_TIMEOUT_MS,
  );
});
