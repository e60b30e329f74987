import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

import { ConfigError } from './config.error.js';
import {
  databaseConfig,
  httpConfig,
  logConfig,
  natsConfig,
  otelConfig,
  s3Config,
} from './config-fragments.schema.js';
import { loadConfig } from './config.loader.js';
import { intValue } from './env-value.parsers.js';
import { envVar } from './env-var.schema.js';

const schema = {
  http: httpConfig(),
  nats: natsConfig(),
  database: databaseConfig({ defaultSchema: 'inventory' }),
  log: logConfig(),
  otel: otelConfig(),
};

const valid = {
  MUSTER_HTTP_PORT: '8080',
  MUSTER_NATS_URL: 'nats://127.0.0.1:4222, nats://10.0.0.2:4222',
  MUSTER_DATABASE_URL: 'postgres://muster:pw@127.0.0.1:5432/muster',
};

function issuesOf(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return Object.fromEntries(err.issues.map((i) => [i.variable, i.message]));
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('maps env vars to a typed nested object and applies defaults', () => {
    const config = loadConfig(schema, valid);
    expect(config).toEqual({
      http: {
        host: '127.0.0.1',
        port: 8080,
        bodyLimitBytes: 65536,
        rateLimitPerMinute: 60_000,
        rateLimitBurst: 5_000,
      },
      nats: { servers: ['nats://127.0.0.1:4222', 'nats://10.0.0.2:4222'], nkeySeed: undefined, streams: {} },
      database: { url: 'postgres://muster:pw@127.0.0.1:5432/muster', schema: 'inventory' },
      log: { level: 'info' },
      otel: { otlpEndpoint: undefined },
    });
    expectTypeOf(config.http.port).toEqualTypeOf<number>();
    expectTypeOf(config.nats.servers).toEqualTypeOf<string[]>();
    expectTypeOf(config.nats.nkeySeed).toEqualTypeOf<string | undefined>();
    expectTypeOf(config.log.level).toEqualTypeOf<
      'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
    >();
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('overrides defaults from the environment', () => {
    const config = loadConfig(schema, {
      ...valid,
      MUSTER_HTTP_HOST: '0.0.0.0',
      MUSTER_DATABASE_SCHEMA: 'other',
      MUSTER_LOG_LEVEL: 'debug',
      MUSTER_OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(config.http.host).toBe('0.0.0.0');
    expect(config.database.schema).toBe('other');
    expect(config.log.level).toBe('debug');
    expect(config.otel.otlpEndpoint).toBe('http://collector:4318');
  });

  it('lists every bad, missing and unknown variable at once', () => {
    const issues = issuesOf(() =>
      loadConfig(schema, {
        MUSTER_HTTP_PORT: '70000',
        MUSTER_NATS_URL: 'http://127.0.0.1:4222',
        MUSTER_LOG_LEVEL: 'loud',
        MUSTER_DATABASE_SCHEMA: 'Bad-Name',
        MUSTER_OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
        MUSTER_HTTP_HOTS: 'x',
        PATH: '/usr/bin',
      }),
    );
    expect(Object.keys(issues).sort()).toEqual([
      'MUSTER_DATABASE_SCHEMA',
      'MUSTER_DATABASE_URL',
      'MUSTER_HTTP_HOTS',
      'MUSTER_HTTP_PORT',
      'MUSTER_LOG_LEVEL',
      'MUSTER_NATS_URL',
      'MUSTER_OTEL_EXPORTER_OTLP_ENDPOINT',
    ]);
    expect(issues['MUSTER_DATABASE_URL']).toBe('required but not set');
    expect(issues['MUSTER_HTTP_PORT']).toMatch(/<=65535.*got "70000"/);
    expect(issues['MUSTER_NATS_URL']).toMatch(/nats:\/\/ or tls:\/\/ URL/);
    expect(issues['MUSTER_LOG_LEVEL']).toMatch(/"info"/);
    expect(issues['MUSTER_HTTP_HOTS']).toBe(
      'unknown variable, not used by this service (did you mean MUSTER_HTTP_HOST?)',
    );
  });

  it('puts every problem in the error message, one per line', () => {
    expect(() => loadConfig(schema, { MUSTER_HTTP_PORT: 'x' })).toThrow(
      /invalid configuration \(3 problems\):\n {2}MUSTER_HTTP_PORT: must be an integer \(got "x"\)\n {2}MUSTER_NATS_URL: required but not set\n {2}MUSTER_DATABASE_URL: required but not set/,
    );
  });

  it('treats an empty value as unset', () => {
    expect(issuesOf(() => loadConfig(schema, { ...valid, MUSTER_HTTP_PORT: '' }))).toEqual({
      MUSTER_HTTP_PORT: 'required but not set',
    });
    expect(loadConfig(schema, { ...valid, MUSTER_HTTP_HOST: '' }).http.host).toBe('127.0.0.1');
  });

  it('rejects unknown MUSTER_ variables unless allowed', () => {
    const env = { ...valid, MUSTER_S3_BUCKET: 'artifacts' };
    expect(issuesOf(() => loadConfig(schema, env))).toEqual({
      MUSTER_S3_BUCKET: 'unknown variable, not used by this service',
    });
    expect(loadConfig(schema, env, { allowUnknown: ['MUSTER_S3_BUCKET'] }).http.port).toBe(8080);
  });

  it('never echoes a secret value in an error', () => {
    const issues = issuesOf(() =>
      loadConfig(
        { database: databaseConfig({ defaultSchema: 'x' }), s3: s3Config() },
        {
          MUSTER_DATABASE_URL: 'mysql://root:hunter2@db/x',
          MUSTER_S3_ENDPOINT: 'http://127.0.0.1:9000',
          MUSTER_S3_ACCESS_KEY: 'AK',
          MUSTER_S3_BUCKET: 'Bad_Bucket',
        },
      ),
    );
    expect(issues['MUSTER_DATABASE_URL']).not.toContain('hunter2');
    expect(issues['MUSTER_S3_SECRET_KEY']).toBe('required but not set');
    expect(issues['MUSTER_S3_BUCKET']).toMatch(/bucket name/);
  });

  it('accepts service-specific variables', () => {
    const config = loadConfig(
      { scan: { intervalSeconds: envVar('MUSTER_SCAN_INTERVAL_SECONDS', intValue({ min: 1 }).default(60)) } },
      { MUSTER_SCAN_INTERVAL_SECONDS: '15' },
    );
    expect(config.scan.intervalSeconds).toBe(15);
    expect(() => envVar('HTTP_PORT', z.string())).toThrow(/must match/);
    expect(() =>
      loadConfig({ a: envVar('MUSTER_A', z.string()), b: { c: envVar('MUSTER_A', z.string()) } }, {}),
    ).toThrow(/declares MUSTER_A twice/);
  });
});
