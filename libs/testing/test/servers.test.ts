import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { uniqueBucketName, uniqueName } from '../src/index.js';
import { NatsWire } from './support/nats-wire.js';
import { psql } from './support/psql.js';
import { redisCommand } from './support/resp.js';
import { s3Fetch } from './support/s3-fetch.js';

// The servers Vitest's global setup started once for this run.
const servers = inject('servers');

describe('the servers of the test run', () => {
  it('has the documented endpoint shapes', () => {
    expect(servers.nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(servers.nats.monitorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(servers.postgres.url).toBe(`postgres://postgres@127.0.0.1:${servers.postgres.port}/postgres`);
    expect(servers.redis.url).toBe(`redis://127.0.0.1:${servers.redis.port}`);
    expect(servers.s3).toMatchObject({
      url: `http://127.0.0.1:${servers.s3.port}`,
      endPoint: '127.0.0.1',
      useSSL: false,
      region: 'us-east-1',
    });
  });

  it('NATS: JetStream stores a published message and acknowledges it', async () => {
    const nats = await NatsWire.connect(servers.nats.url);
    try {
      const stream = uniqueName('harness');
      await nats.api(`$JS.API.STREAM.CREATE.${stream}`, {
        name: stream,
        subjects: [`${stream}.>`],
        storage: 'file',
      });
      const ack = JSON.parse((await nats.request(`${stream}.hello`, 'payload-1')).toString()) as {
        stream: string;
        seq: number;
      };
      expect(ack).toEqual({ stream, seq: 1 });
      const got = await nats.api<{ message: { data: string; subject: string } }>(
        `$JS.API.STREAM.MSG.GET.${stream}`,
        { seq: 1 },
      );
      expect(got.message.subject).toBe(`${stream}.hello`);
      expect(Buffer.from(got.message.data, 'base64').toString()).toBe('payload-1');
    } finally {
      nats.close();
    }
  });

  it('NATS: the monitor answers JetStream health', async () => {
    const res = await fetch(`${servers.nats.monitorUrl}/healthz?js-enabled-only=true`);
    expect(res.status).toBe(200);
  });

  it('PostgreSQL: a schema, a table and a row round-trip', async () => {
    const schema = uniqueName('harness');
    const out = await psql(
      servers.postgres.port,
      `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int primary key, v text); ` +
        `INSERT INTO ${schema}.t VALUES (1, 'ünïcode'); SELECT v FROM ${schema}.t WHERE id = 1;`,
    );
    expect(out.split('\n').at(-1)).toBe('ünïcode');
  });

  it('Redis: SET then GET', async () => {
    const key = uniqueName('k');
    expect(await redisCommand(servers.redis.port, 'SET', key, 'v1')).toBe('OK');
    expect(await redisCommand(servers.redis.port, 'GET', key)).toBe('v1');
    expect(await redisCommand(servers.redis.port, 'CONFIG', 'GET', 'maxmemory-policy')).toEqual([
      'maxmemory-policy',
      'noeviction',
    ]);
  });

  it('S3: create a bucket, put and get an object, with signed requests', async () => {
    const bucket = uniqueBucketName('harness');
    expect((await s3Fetch(servers.s3, 'PUT', `/${bucket}`)).status).toBe(200);
    const body = randomBytes(300_000);
    expect((await s3Fetch(servers.s3, 'PUT', `/${bucket}/a/b.bin`, body)).status).toBe(200);
    const res = await s3Fetch(servers.s3, 'GET', `/${bucket}/a/b.bin`);
    expect(res.status).toBe(200);
    const got = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(got).digest('hex')).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
  });

  it('S3: rejects a request signed with the wrong secret', async () => {
    const res = await s3Fetch({ ...servers.s3, secretKey: 'wrong' }, 'GET', '/');
    expect(res.status).toBe(403);
  });
});
