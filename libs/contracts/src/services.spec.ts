import { describe, expect, it } from 'vitest';
import { deadLetter } from './dead-letter.js';
import { contracts } from './messages.js';
import { allContracts, allQueries } from './registry.js';
import {
  busManifest,
  busManifests,
  inboxPrefix,
  manifestStreams,
  serviceNames,
  UnknownServiceError,
} from './services.js';

const manifests = Object.values(busManifests);

describe('bus manifests', () => {
  it('name each of the seven services under its own key', () => {
    expect(Object.keys(busManifests).sort()).toEqual([...serviceNames].sort());
    for (const [key, m] of Object.entries(busManifests)) expect(m.service).toBe(key);
  });

  it('give every message exactly one producer, and every query exactly one answerer', () => {
    for (const contract of allContracts) {
      const producers = manifests.filter((m) => m.produces.includes(contract)).map((m) => m.service);
      // A command may have several issuers (the scheduler, an operator through agent-gateway);
      // every event and state has one.
      if (contract.kind === 'command') expect(producers.length, contract.name).toBeGreaterThan(0);
      else expect(producers, contract.name).toHaveLength(1);
    }
    for (const query of allQueries) {
      expect(
        manifests.filter((m) => m.answers.includes(query)),
        query.name,
      ).toHaveLength(1);
    }
  });

  it('use durable names that are unique, valid dead-letter tokens and start with the service', () => {
    const durables = manifests.flatMap((m) =>
      m.consumes.map((x) => ({ service: m.service, durable: x.durable })),
    );
    expect(new Set(durables.map((d) => d.durable)).size).toBe(durables.length);
    for (const { service, durable } of durables) {
      expect(durable.startsWith(`${service}-`), durable).toBe(true);
      expect(() => deadLetter.subject(durable)).not.toThrow();
    }
  });

  it('say that discovery may not order an agent about', () => {
    expect(busManifests.discovery.produces).not.toContain(contracts.agentCommand);
    expect(busManifests.scheduler.produces).toContain(contracts.agentCommand);
    expect(busManifests['agent-gateway'].produces).toContain(contracts.agentCommand);
  });

  it('let agent commands alone have two issuers', () => {
    const shared = allContracts.filter((c) => manifests.filter((m) => m.produces.includes(c)).length > 1);
    expect(shared).toEqual([contracts.agentCommand]);
  });
});

describe('manifestStreams', () => {
  it('owns the streams a service produces into, and DEADLETTER when it consumes', () => {
    const names = (s: { name: string }[]) => s.map((x) => x.name);
    expect(names(manifestStreams(busManifests.discovery).owned)).toEqual(['INVENTORY']);
    expect(names(manifestStreams(busManifests.discovery).read)).toEqual([]);
    expect(names(manifestStreams(busManifests.inventory).owned)).toEqual(['INVENTORY', 'DEADLETTER']);
    expect(names(manifestStreams(busManifests.inventory).read)).toEqual([]);
  });

  it('only reads the streams a service consumes from without producing into them', () => {
    const boot = manifestStreams(busManifests.boot);
    expect(boot.owned.map((s) => s.name)).toEqual(['DEADLETTER']);
    expect(boot.read.map((s) => s.name)).toEqual(['INVENTORY']);
    const gateway = manifestStreams(busManifests['agent-gateway']);
    expect(gateway.owned.map((s) => s.name).sort()).toEqual([
      'AGENT_COMMANDS',
      'AGENT_TELEMETRY',
      'DEADLETTER',
      'KV_AGENT_HEARTBEATS',
      'KV_AGENT_PRESENCE',
    ]);
    expect(gateway.read.map((s) => s.name)).toEqual([]);
  });
});

describe('busManifest', () => {
  it('finds a service and refuses an unknown one, naming the file', () => {
    expect(busManifest('boot')).toBe(busManifests.boot);
    expect(() => busManifest('billing')).toThrow(UnknownServiceError);
    expect(() => busManifest('billing')).toThrow('libs/contracts/src/services.ts');
  });

  it('gives each service its own inbox prefix', () => {
    const prefixes = serviceNames.map(inboxPrefix);
    expect(new Set(prefixes).size).toBe(serviceNames.length);
    for (const p of prefixes) expect(p).toMatch(/^_INBOX_[a-z-]+$/);
  });
});
