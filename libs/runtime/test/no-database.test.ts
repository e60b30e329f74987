import { Controller, Get, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '@muster/config';
import { createLogger } from '@muster/observability';
import { defineService, OwnAuthentication, serviceSchema, type ServiceContext } from '../src/index.js';
import { serviceModule } from '../src/run-service.js';
import { startServiceInProcess, type RunningService } from './service-app.fixture.js';

@Controller('v1/things')
@OwnAuthentication('none: a test route')
class ThingsController {
  @Get()
  list(): { things: string[] } {
    return { things: ['a'] };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

// A service that keeps no database (the site cache): a known bus manifest, no MUSTER_DATABASE_*.
const entry = defineService({
  name: 'site-cache',
  httpPort: 1,
  database: false,
  load: () =>
    Promise.resolve({ features: [ThingsModule], entities: [], migrations: [], readiness: ['nats'] }),
});

describe('a service without a database', () => {
  let service: RunningService;

  beforeAll(async () => {
    // No PostgreSQL setting at all: validation must not ask for one.
    service = await startServiceInProcess(entry, { MUSTER_NATS_URL: inject('servers').nats.url });
  });
  afterAll(async () => service?.close());

  it('reads no database settings', () => {
    expect(Object.keys(serviceSchema(entry))).not.toContain('database');
  });

  it('starts, serves its routes and is ready on the bus alone', async () => {
    expect(await (await fetch(`${service.url}/v1/things`)).json()).toEqual({ things: ['a'] });
    const ready = await fetch(`${service.url}/readyz`);
    const body = await ready.text();
    expect(ready.status, body).toBe(200);
    expect(body).toContain('nats');
    expect(body).not.toContain('postgres');
  });

  it('refuses parts that need a database it does not have', () => {
    const ctx: ServiceContext = {
      name: 'site-cache',
      logger: createLogger({ service: 'site-cache', level: 'silent' }),
      config: loadConfig(serviceSchema(entry), { MUSTER_NATS_URL: 'nats://127.0.0.1:4222' }),
    };
    expect(() =>
      serviceModule(ctx, { features: [], entities: [], migrations: [], readiness: ['postgres'] }),
    ).toThrow(/has no database/);
  });
});
