import { z } from 'zod';

import { enumValue, intValue, portValue, urlListValue, urlValue } from './env-value.parsers.js';
import { envVar } from './env-var.schema.js';
import { streamLimitsValue } from './stream-limits.parser.js';

/** Reusable parts of a service's config schema; a service composes the ones it needs. */

const nonEmpty = () => z.string().min(1);

export function httpConfig(defaults: { port?: number } = {}) {
  return {
    host: envVar('MUSTER_HTTP_HOST', nonEmpty().default('127.0.0.1')),
    port: envVar(
      'MUSTER_HTTP_PORT',
      defaults.port === undefined ? portValue() : portValue().default(defaults.port),
    ),
    /** A route's JSON body limit unless the route declares its own. */
    bodyLimitBytes: envVar(
      'MUSTER_HTTP_BODY_LIMIT_BYTES',
      intValue({ min: 1024, max: 64 * 1024 * 1024 }).default(64 * 1024),
    ),
    /**
     * Requests per minute per client address, per instance, on the /v1 API; 0 turns it off.
     * A whole site booting at once reaches discovery through one relay or NAT address: the
     * default (1,000/s after a burst of 5,000) lets a boot storm of several thousand machines
     * through and stops a runaway client.
     */
    rateLimitPerMinute: envVar('MUSTER_HTTP_RATE_LIMIT_PER_MINUTE', intValue({ min: 0 }).default(60_000)),
    /** How many requests a client address may send at once before the rate applies. */
    rateLimitBurst: envVar('MUSTER_HTTP_RATE_LIMIT_BURST', intValue({ min: 1 }).default(5_000)),
  };
}

export function natsConfig() {
  return {
    servers: envVar('MUSTER_NATS_URL', urlListValue({ protocols: ['nats', 'tls'] }), {
      secret: 'url-password',
    }),
    /**
     * The service's own NATS user: an nkey user seed (`SU…`, from `npm run bus:credentials`).
     * The server grants it exactly what the service's bus manifest needs. Unset, the service
     * connects anonymously, which only a test server (or one without authorization) admits.
     */
    nkeySeed: envVar(
      'MUSTER_NATS_NKEY_SEED',
      z
        .string()
        .trim()
        .regex(/^SU[A-Z2-7]{56}$/, {
          error: 'must be an nkey user seed (SU followed by 56 base32 characters)',
        })
        .optional(),
      { secret: true },
    ),
    /** Stream sizes, ages and replicas an operator sets (R3 in production): see streamLimitsValue. */
    streams: envVar('MUSTER_NATS_STREAMS', streamLimitsValue().default({})),
  };
}

const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** `defaultSchema` is the service's own PostgreSQL schema, used unless MUSTER_DATABASE_SCHEMA is set. */
export function databaseConfig(options: { defaultSchema: string }) {
  if (!PG_IDENTIFIER.test(options.defaultSchema)) {
    throw new TypeError(
      `defaultSchema ${JSON.stringify(options.defaultSchema)} is not a lower-case identifier`,
    );
  }
  return {
    url: envVar('MUSTER_DATABASE_URL', urlValue({ protocols: ['postgres', 'postgresql'] }), {
      secret: 'url-password',
    }),
    schema: envVar(
      'MUSTER_DATABASE_SCHEMA',
      z
        .string()
        .regex(PG_IDENTIFIER, { error: 'must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, ≤ 63 chars)' })
        .default(options.defaultSchema),
    ),
  };
}

export function redisConfig() {
  return {
    url: envVar('MUSTER_REDIS_URL', urlValue({ protocols: ['redis', 'rediss'] }), { secret: 'url-password' }),
  };
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function s3Config() {
  return {
    endpoint: envVar('MUSTER_S3_ENDPOINT', urlValue({ protocols: ['http', 'https'] })),
    accessKey: envVar('MUSTER_S3_ACCESS_KEY', nonEmpty()),
    secretKey: envVar('MUSTER_S3_SECRET_KEY', nonEmpty(), { secret: true }),
    region: envVar('MUSTER_S3_REGION', nonEmpty().default('us-east-1')),
    bucket: envVar(
      'MUSTER_S3_BUCKET',
      z.string().regex(S3_BUCKET, { error: 'must be an S3 bucket name (3–63 of a-z 0-9 . -)' }),
    ),
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logConfig() {
  return {
    level: envVar('MUSTER_LOG_LEVEL', enumValue(LOG_LEVELS).default('info')),
  };
}

export function otelConfig() {
  return {
    otlpEndpoint: envVar(
      'MUSTER_OTEL_EXPORTER_OTLP_ENDPOINT',
      urlValue({ protocols: ['http', 'https'] }).optional(),
    ),
  };
}
