import { describe, expect, it } from 'vitest';
import { parseStackArgs, planStack, serviceEnv, SERVICES, type ServiceName } from './stack-plan.js';

const endpoints = {
  natsUrl: 'nats://127.0.0.1:14222',
  natsAdminUrl: 'nats://admin:pw@127.0.0.1:14222',
  natsSeeds: Object.fromEntries(SERVICES.map((s) => [s.name, `seed-of-${s.name}`])) as Record<
    ServiceName,
    string
  >,
  postgresUrl: 'postgres://postgres@127.0.0.1:15432/postgres',
  redisUrl: 'redis://127.0.0.1:16379',
  s3: { url: 'http://127.0.0.1:17480', accessKey: 'a', secretKey: 's', region: 'us-east-1' },
  commandSigningKeys: 'local-1:c2VlZA==',
  releaseSigningKeys: 'local-release-1:c2VlZA==',
};

describe('planStack', () => {
  it('shifts every port by the offset and keeps data and logs under home', () => {
    const plan = planStack({ home: '/h', portOffset: 100 });
    expect(plan.servers.postgres).toBe(15532);
    expect(plan.services.map((s) => s.port)).toEqual(SERVICES.map((s) => s.port + 100));
    expect(plan.dataDir).toBe('/h/data');
    expect(plan.logDir).toBe('/h/logs');
    expect(plan.apiPort).toBe(8180);
    expect(plan.operatorFile).toBe('/h/operator.json');
  });
});

describe('serviceEnv', () => {
  it('gives each service only the settings it uses', () => {
    const plan = planStack({ home: '/h', portOffset: 0 });
    const envOf = (name: string) =>
      serviceEnv(
        plan.services.find((s) => s.name === name)!,
        endpoints,
        plan,
      );
    expect(Object.keys(envOf('inventory')).sort()).toEqual([
      'MUSTER_DATABASE_URL',
      'MUSTER_HTTP_HOST',
      'MUSTER_HTTP_PORT',
      'MUSTER_LOG_LEVEL',
      'MUSTER_NATS_NKEY_SEED',
      'MUSTER_NATS_URL',
    ]);
    // Its own NATS user, never another's.
    expect(envOf('inventory').MUSTER_NATS_NKEY_SEED).toBe('seed-of-inventory');
    expect(envOf('discovery').MUSTER_NATS_NKEY_SEED).toBe('seed-of-discovery');
    expect(envOf('image-build').MUSTER_REDIS_URL).toBe(endpoints.redisUrl);
    expect(envOf('artifact-store')).toMatchObject({
      MUSTER_S3_ENDPOINT: endpoints.s3.url,
      MUSTER_S3_BUCKET: 'muster-artifacts',
    });
    expect(envOf('inventory').MUSTER_S3_ENDPOINT).toBeUndefined();
    // Commands are signed by the gateway's key ring; no other service holds it.
    expect(envOf('agent-gateway').MUSTER_COMMAND_SIGNING_KEYS).toBe(endpoints.commandSigningKeys);
    expect(envOf('scheduler').MUSTER_COMMAND_SIGNING_KEYS).toBeUndefined();
    // Releases are signed by artifact-store's own key ring.
    expect(envOf('artifact-store').MUSTER_RELEASE_SIGNING_KEYS).toBe(endpoints.releaseSigningKeys);
    expect(envOf('agent-gateway').MUSTER_RELEASE_SIGNING_KEYS).toBeUndefined();
    // The site cache has no database and reads through from artifact-store.
    expect(envOf('site-cache').MUSTER_DATABASE_URL).toBeUndefined();
    expect(envOf('site-cache')).toMatchObject({
      MUSTER_SITE_CACHE_ORIGIN: 'http://127.0.0.1:8084',
      MUSTER_SITE_CACHE_DIR: '/h/site-cache',
      MUSTER_SITE_ID: 'local',
    });
    // The administrator's password never reaches a service.
    for (const s of plan.services) expect(JSON.stringify(envOf(s.name))).not.toContain('admin:pw');
  });
});

describe('parseStackArgs', () => {
  it('reads flags before the environment, and refuses a bad offset', () => {
    expect(
      parseStackArgs(['--port-offset', '5', '--home', '/x'], { MUSTER_STACK_PORT_OFFSET: '9' }, '/repo'),
    ).toEqual({
      home: '/x',
      portOffset: 5,
    });
    expect(parseStackArgs([], {}, '/repo')).toEqual({ home: '/repo/.muster', portOffset: 0 });
    expect(() => parseStackArgs(['--port-offset', 'ten'], {}, '/repo')).toThrow(/whole number/);
  });
});
