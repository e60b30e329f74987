import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, startRedis, startS3, uniqueBucketName } from '../src/index.js';
import { psql } from './support/psql.js';
import { redisCommand } from './support/resp.js';
import { s3Fetch } from './support/s3-fetch.js';

// The local stack's mode: a second start on the same data dir skips initialisation and keeps the data.
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'muster-persistent-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('persistent mode', () => {
  it('PostgreSQL keeps its rows and is not initialised again', async () => {
    const dataDir = join(root, 'pg');
    const first = await startPostgres({ dataDir, persistent: true });
    await psql(first.port, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here');`);
    const versionFile = join(first.pgdata, 'PG_VERSION');
    const initialised = (await stat(versionFile)).mtimeMs;
    await first.stop();

    const second = await startPostgres({ dataDir, persistent: true });
    try {
      expect(await psql(second.port, 'SELECT v FROM kept')).toBe('still here');
      expect(await psql(second.port, 'SHOW fsync')).toBe('on');
      expect((await stat(versionFile)).mtimeMs).toBe(initialised);
    } finally {
      await second.stop();
    }
  });

  it('Redis keeps its keys (append-only file)', async () => {
    const dataDir = join(root, 'redis');
    const first = await startRedis({ dataDir, persistent: true });
    await redisCommand(first.port, 'SET', 'kept', 'yes');
    await first.stop();

    const second = await startRedis({ dataDir, persistent: true });
    try {
      expect(await redisCommand(second.port, 'GET', 'kept')).toBe('yes');
    } finally {
      await second.stop();
    }
  });

  it('S3 keeps its buckets, objects and keys across a restart', async () => {
    const dataDir = join(root, 's3');
    const first = await startS3({ dataDir, persistent: true, blockSizeGiB: 4 });
    const bucket = uniqueBucketName('kept');
    const body = randomBytes(5_000);
    expect((await s3Fetch(first, 'PUT', `/${bucket}`)).status).toBe(200);
    expect((await s3Fetch(first, 'PUT', `/${bucket}/obj`, body)).status).toBe(200);
    const fsid = (JSON.parse(await readFile(join(dataDir, 'muster-s3.json'), 'utf8')) as { fsid: string })
      .fsid;
    await first.stop();
    expect(first.pids).toEqual([]);

    const second = await startS3({ dataDir, persistent: true, blockSizeGiB: 4 });
    try {
      expect(second.accessKey).toBe(first.accessKey);
      expect(
        (JSON.parse(await readFile(join(dataDir, 'muster-s3.json'), 'utf8')) as { fsid: string }).fsid,
      ).toBe(fsid);
      const res = await s3Fetch(second, 'GET', `/${bucket}/obj`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
