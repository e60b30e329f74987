import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Inject, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  AgentStatusSchema,
  DeploymentPhase,
  contracts,
  deadLetter,
  type AgentStatus,
} from '@muster/contracts';
import { EventPublisher, OnEvent, type Delivery, type OutageEvent } from '@muster/messaging';
import { ownBus, readSubject, until } from '@muster/messaging/testing';
import { loadConfig } from '@muster/config';
import { createLogger } from '@muster/observability';
import { startPostgres, type PostgresServerHandle } from '@muster/testing';
import { serviceModule } from '../src/run-service.js';
import { serviceConfig } from '../src/service-config.js';
import { Widgets1763800000999, WidgetsRepository } from './widgets.repository.js';

/**
 * A service's consumer, wired as every service wires it (runtime → messaging → persistence),
 * applying events with applyOnce against a PostgreSQL of this file's own that it stops for
 * far longer than the consumer's whole retry budget while events keep arriving.
 */
const tag = randomUUID().slice(0, 8);
const params = { siteId: `site-${tag}`, agentId: `agent-${tag}` };
// A consumer the scheduler's bus manifest declares (services may run only declared consumers).
const DURABLE = 'scheduler-agent-status';
const MAX_ATTEMPTS = 3;
const RETRY_DELAY_MS = 20;
const outages: OutageEvent[] = [];

@Injectable()
class WidgetHandlers {
  constructor(@Inject(WidgetsRepository) private readonly widgets: WidgetsRepository) {}

  @OnEvent(contracts.agentStatus, {
    durable: DURABLE,
    filterSubject: contracts.agentStatus.subject(params),
    batchSize: 10,
    maxAttempts: MAX_ATTEMPTS,
    retryDelaysMs: [RETRY_DELAY_MS],
    outageBackoffMs: [50, 100, 200],
    onOutage: (e) => outages.push(e),
  })
  async onStatus(deliveries: readonly Delivery<AgentStatus>[]): Promise<void> {
    await this.widgets.apply(DURABLE, deliveries);
  }
}

@Module({ providers: [WidgetsRepository, WidgetHandlers] })
class WidgetsModule {}

let dir: string;
let postgres: PostgresServerHandle;
let env: Awaited<ReturnType<typeof ownBus>>;
let app: INestApplicationContext;
let publisher: EventPublisher;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-outage-'));
  [postgres, env] = await Promise.all([startPostgres({ dataDir: join(dir, 'postgres') }), ownBus()]);
  const name = 'scheduler';
  app = await NestFactory.createApplicationContext(
    serviceModule(
      {
        name,
        logger: createLogger({ service: name, level: 'silent' }),
        config: loadConfig(serviceConfig({ schema: 'outage_test', httpPort: 1 }), {
          MUSTER_NATS_URL: env.server.url,
          MUSTER_DATABASE_URL: postgres.url,
          MUSTER_DATABASE_SCHEMA: `outage_${tag.replace(/-/g, '')}`,
          MUSTER_LOG_LEVEL: 'silent',
        }),
      },
      {
        features: [WidgetsModule],
        entities: [],
        migrations: [Widgets1763800000999],
        readiness: ['postgres'],
      },
    ),
    { logger: false },
  );
  await app.init();
  publisher = new EventPublisher(env.bus, '/muster/test');
});

afterAll(async () => {
  await app?.close();
  await env?.close();
  await postgres?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const heartbeat = (seq: number): AgentStatus =>
  create(AgentStatusSchema, {
    agentId: params.agentId,
    seq: BigInt(seq),
    deploymentId: randomUUID(),
    phase: DeploymentPhase.DOWNLOADING,
    at: timestampNow(),
  });

const publishRange = async (from: number, to: number) => {
  for (let seq = from; seq <= to; seq++)
    await publisher.publish(contracts.agentStatus, params, heartbeat(seq));
};

describe('a consumer whose PostgreSQL goes away', () => {
  it('dead-letters nothing while PostgreSQL is down, and applies every event exactly once when it returns', async () => {
    const widgets = app.get(WidgetsRepository);
    await publishRange(1, 10);
    await until(async () => (await widgets.names()).length === 10, 20_000, 'the first ten applied');

    await postgres.stop();
    await publishRange(11, 40);
    await until(() => outages.some((o) => o.phase === 'start'), 20_000, 'the consumer to see the outage');
    // Down for many times the whole retry budget (3 attempts, 20 ms apart), events still arriving.
    await new Promise((r) => setTimeout(r, 50 * MAX_ATTEMPTS * RETRY_DELAY_MS));
    await publishRange(41, 50);
    expect(await readSubject(env.bus, deadLetter.stream, deadLetter.subject(DURABLE))).toEqual([]);

    postgres = await startPostgres({ dataDir: join(dir, 'postgres'), port: postgres.port });
    await until(
      async () => (await widgets.names().catch(() => [])).length >= 50,
      60_000,
      'all fifty applied',
    );
    const names = await widgets.names();
    expect(names).toHaveLength(50);
    expect(new Set(names)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => String(i + 1))));
    expect(await readSubject(env.bus, deadLetter.stream, deadLetter.subject(DURABLE))).toEqual([]);
    // The database was a probe of the consumer without the handler naming it.
    expect(outages.map((o) => [o.phase, o.reason])).toEqual([
      ['start', 'postgres unavailable'],
      ['end', 'postgres unavailable'],
    ]);
  });
});
