import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { databaseConfig, natsConfig, redisConfig, s3Config } from './config-fragments.schema.js';
import { loadConfig } from './config.loader.js';
import { describeConfig, redactConfig } from './config.redactor.js';
import { envVar } from './env-var.schema.js';

const schema = {
  nats: natsConfig(),
  database: databaseConfig({ defaultSchema: 'inventory' }),
  redis: redisConfig(),
  s3: s3Config(),
  webhook: envVar('MUSTER_WEBHOOK_URL', z.string()),
};

// Shaped like an nkey user seed (SU + 56 base32 characters); it is no key.
const SEED = `SU${'Q'.repeat(56)}`;

const env = {
  MUSTER_NATS_URL: 'nats://agent:natspw@127.0.0.1:4222,nats://127.0.0.1:4223',
  MUSTER_NATS_NKEY_SEED: SEED,
  MUSTER_DATABASE_URL: 'postgres://muster:dbpw@db:5432/muster?sslmode=require&sslpassword=keypw',
  MUSTER_REDIS_URL: 'redis://:redispw@127.0.0.1:6379/0',
  MUSTER_S3_ENDPOINT: 'http://127.0.0.1:9000',
  MUSTER_S3_ACCESS_KEY: 'AKIA1',
  MUSTER_S3_SECRET_KEY: 'topsecret',
  MUSTER_S3_BUCKET: 'artifacts',
  MUSTER_WEBHOOK_URL: 'https://user:hookpw@hooks.example/x',
};

describe('redactConfig', () => {
  const config = loadConfig(schema, env);

  it('replaces secrets with *** and URL passwords everywhere, keeping the rest', () => {
    const redacted = redactConfig(config);
    expect(redacted).toEqual({
      nats: {
        servers: ['nats://agent:***@127.0.0.1:4222', 'nats://127.0.0.1:4223'],
        nkeySeed: '***',
        streams: {},
      },
      database: {
        url: 'postgres://muster:***@db:5432/muster?sslmode=require&sslpassword=***',
        schema: 'inventory',
      },
      redis: { url: 'redis://:***@127.0.0.1:6379/0' },
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        accessKey: 'AKIA1',
        secretKey: '***',
        region: 'us-east-1',
        bucket: 'artifacts',
      },
      webhook: 'https://user:***@hooks.example/x',
    });
    expect(JSON.stringify(redacted)).not.toMatch(
      new RegExp(`natspw|${SEED}|dbpw|keypw|redispw|topsecret|hookpw`),
    );
    expect(config.s3.secretKey).toBe('topsecret');
  });

  it('describes the effective config by env var name for the start-up log', () => {
    const description = describeConfig(config);
    expect(description).toMatchObject({
      MUSTER_NATS_URL: 'nats://agent:***@127.0.0.1:4222,nats://127.0.0.1:4223',
      MUSTER_NATS_NKEY_SEED: '***',
      MUSTER_DATABASE_SCHEMA: 'inventory',
      MUSTER_S3_SECRET_KEY: '***',
      MUSTER_S3_REGION: 'us-east-1',
    });
    expect(JSON.stringify(description)).not.toMatch(
      new RegExp(`natspw|${SEED}|dbpw|keypw|redispw|topsecret|hookpw`),
    );
  });

  it('leaves an unset optional secret unset', () => {
    const withoutSeed = loadConfig({ nats: natsConfig() }, { MUSTER_NATS_URL: 'nats://127.0.0.1:4222' });
    expect(redactConfig(withoutSeed).nats.nkeySeed).toBeUndefined();
    expect(describeConfig(withoutSeed)['MUSTER_NATS_NKEY_SEED']).toBeUndefined();
  });

  it('needs the schema for a config not made by loadConfig', () => {
    const copy = structuredClone(config);
    expect(() => redactConfig(copy)).toThrow(/pass its schema/);
    expect(redactConfig(copy, schema).s3.secretKey).toBe('***');
  });
});

describe('MUSTER_NATS_NKEY_SEED', () => {
  it('refuses what is not an nkey user seed without echoing it', () => {
    const bad = 'SAnotauserseed-but-a-secret-anyway';
    let message = '';
    try {
      loadConfig(
        { nats: natsConfig() },
        { MUSTER_NATS_URL: 'nats://127.0.0.1:4222', MUSTER_NATS_NKEY_SEED: bad },
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('MUSTER_NATS_NKEY_SEED');
    expect(message).not.toContain(bad);
  });
});
