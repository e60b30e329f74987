import { describe, expect, it } from 'vitest';
import {
  allContracts,
  busManifests,
  contracts,
  deadLetter,
  inboxPrefix,
  manifestKv,
  manifestStreams,
  patternCovers,
  queries,
  serviceNames,
  streams,
  subjectMatches,
  type BusManifest,
} from '@muster/contracts';
import { natsPermissions } from './nats-permissions.js';

/** True when some allowed pattern lets the subject (or every subject of a pattern) through. */
const allows = (allow: readonly string[], subject: string) =>
  allow.some((a) => subjectMatches(a, subject) || patternCovers(a, subject));

/** What nats-server does: allowed and not denied (a deny wins). */
const permits = (p: { allow: readonly string[]; deny?: readonly string[] }, subject: string) =>
  allows(p.allow, subject) && !(p.deny ?? []).some((d) => subjectMatches(d, subject));

/**
 * What a service needs, written out independently of the derivation: each allowed publish
 * subject must be one of these (or covered by one).
 */
function needs(m: BusManifest): string[] {
  const { owned, read } = manifestStreams(m);
  return [
    '$JS.API.INFO',
    ...m.produces.map((c) => c.filter),
    ...m.consumes.map((x) => `muster.deadletter.${x.durable}.v1`),
    ...owned.flatMap((s) => [
      `$JS.API.STREAM.INFO.${s.name}`,
      `$JS.API.STREAM.CREATE.${s.name}`,
      `$JS.API.STREAM.UPDATE.${s.name}`,
    ]),
    ...read.map((s) => `$JS.API.STREAM.INFO.${s.name}`),
    ...m.consumes.flatMap(({ contract, durable }) => [
      `$JS.API.CONSUMER.INFO.${contract.stream}.${durable}`,
      `$JS.API.CONSUMER.CREATE.${contract.stream}.${durable}`,
      `$JS.API.CONSUMER.CREATE.${contract.stream}.${durable}.>`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${contract.stream}.${durable}`,
      `$JS.API.CONSUMER.MSG.NEXT.${contract.stream}.${durable}`,
      `$JS.ACK.${contract.stream}.${durable}.>`,
    ]),
    ...m.asks.map((q) => q.subject),
    ...manifestKv(m).flatMap((g) => [
      ...(g.read
        ? [
            `$JS.API.STREAM.INFO.${g.stream}`,
            `$JS.API.DIRECT.GET.${g.stream}`,
            `$JS.API.DIRECT.GET.${g.stream}.>`,
            `$JS.API.CONSUMER.CREATE.${g.stream}.>`,
            `$JS.API.CONSUMER.INFO.${g.stream}.*`,
            `$JS.API.CONSUMER.MSG.NEXT.${g.stream}.*`,
            `$JS.API.CONSUMER.DELETE.${g.stream}.*`,
          ]
        : []),
      ...(g.writeKeys ?? []).map((k) => `$KV.${g.stream.replace(/^KV_/, '')}.${k}`),
    ]),
    ...(m.signals ?? []),
    ...(m.tails ?? []).flatMap((stream) => [
      `$JS.API.STREAM.INFO.${stream}`,
      `$JS.API.CONSUMER.CREATE.${stream}.>`,
      `$JS.API.CONSUMER.INFO.${stream}.*`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
      `$JS.API.CONSUMER.DELETE.${stream}.*`,
    ]),
  ];
}

/**
 * KV buckets a service watches and streams it tails: it makes and deletes ordered (read-only)
 * consumers on them, under names it does not choose.
 */
const watched = (m: BusManifest) =>
  new Set<string>([
    ...manifestKv(m)
      .filter((g) => g.read)
      .map((g) => g.stream),
    ...(m.tails ?? []),
  ]);

describe.each(serviceNames)('natsPermissions(%s)', (service) => {
  const m = busManifests[service];
  const p = natsPermissions(m);
  const others = serviceNames.filter((s) => s !== service).map((s) => busManifests[s]);

  it('grants no publish subject the manifest does not need', () => {
    const needed = needs(m);
    for (const subject of p.publish.allow) {
      expect(
        needed.some((n) => n === subject || patternCovers(n, subject)),
        subject,
      ).toBe(true);
    }
  });

  it('grants every publish subject the manifest needs', () => {
    for (const subject of needs(m)) expect(allows(p.publish.allow, subject), subject).toBe(true);
  });

  it('never publishes what another service produces', () => {
    for (const other of others) {
      for (const c of other.produces) {
        if (m.produces.includes(c)) continue;
        expect(allows(p.publish.allow, c.filter), `${service} → ${c.name}`).toBe(false);
        expect(allows(p.publish.allow, c.pattern({})), `${service} → ${c.name}`).toBe(false);
      }
    }
  });

  it('cannot delete, purge or edit streams, nor touch consumers it does not own', () => {
    for (const s of streams) {
      for (const op of ['DELETE', 'PURGE', 'MSG.DELETE', 'SNAPSHOT', 'RESTORE.x']) {
        expect(allows(p.publish.allow, `$JS.API.STREAM.${op}.${s.name}`), op).toBe(false);
      }
      const consumesFrom = m.consumes.some((x) => x.contract.stream === s.name);
      if (watched(m).has(s.name)) continue;
      if (!consumesFrom) {
        expect(allows(p.publish.allow, `$JS.API.CONSUMER.CREATE.${s.name}.x`)).toBe(false);
        expect(allows(p.publish.allow, `$JS.API.CONSUMER.CREATE.${s.name}`)).toBe(false);
      }
      expect(allows(p.publish.allow, `$JS.API.CONSUMER.DELETE.${s.name}.any`)).toBe(false);
      expect(allows(p.publish.allow, `$JS.API.CONSUMER.CREATE.${s.name}.other-durable.>`)).toBe(false);
    }
    for (const other of others) {
      for (const x of other.consumes) {
        const at = `${x.contract.stream}.${x.durable}`;
        // Not even through the name wildcards of a watched bucket or a tailed stream.
        for (const subject of [
          `$JS.API.CONSUMER.MSG.NEXT.${at}`,
          `$JS.API.CONSUMER.DELETE.${at}`,
          `$JS.API.CONSUMER.CREATE.${at}`,
          `$JS.API.CONSUMER.CREATE.${at}.${x.contract.filter}`,
        ]) {
          expect(permits(p.publish, subject), subject).toBe(false);
        }
        expect(allows(p.publish.allow, `$JS.ACK.${x.contract.stream}.${x.durable}.1.1.1.1.0`)).toBe(false);
        expect(allows(p.publish.allow, deadLetter.subject(x.durable))).toBe(false);
      }
    }
    expect(allows(p.publish.allow, '$JS.API.STREAM.NAMES')).toBe(false);
    expect(allows(p.publish.allow, '$JS.API.STREAM.LIST')).toBe(false);
  });

  it('subscribes only to its own inbox and the queries it answers, in their queue group', () => {
    expect(p.subscribe.allow).toEqual([
      `${inboxPrefix(service)}.>`,
      ...m.answers.map((q) => `${q.subject} ${q.name}`),
      ...(m.signals ?? []),
    ]);
    for (const other of others)
      expect(allows(p.subscribe.allow, `${inboxPrefix(other.service)}.x`)).toBe(false);
    expect(allows(p.subscribe.allow, '_INBOX.x')).toBe(false);
    for (const c of allContracts) expect(allows(p.subscribe.allow, c.filter), c.name).toBe(false);
  });

  it('may answer requests only if it answers a query', () => {
    expect(p.allow_responses).toBe(m.answers.length > 0);
  });
});

describe('the permissions the issue names', () => {
  it('let every service read operator tokens and record their use, and only the api service write them', () => {
    for (const service of serviceNames) {
      const allow = natsPermissions(busManifests[service]).publish.allow;
      expect(allows(allow, '$JS.API.DIRECT.GET.KV_API_TOKENS.$KV.API_TOKENS.token.abc'), service).toBe(true);
      expect(allows(allow, '$KV.API_TOKENS.used.abc'), service).toBe(true);
      expect(allows(allow, '$KV.API_TOKENS.token.abc'), service).toBe(service === 'api');
      expect(allows(allow, '$JS.API.STREAM.CREATE.KV_API_TOKENS'), service).toBe(service === 'api');
      expect(allows(allow, '$JS.API.STREAM.PURGE.KV_API_TOKENS'), service).toBe(false);
    }
  });

  it('keep discovery from publishing an agent command, and let the scheduler do it', () => {
    const command = contracts.agentCommand.subject({ siteId: 'site-1', agentId: 'agent-1' });
    expect(allows(natsPermissions(busManifests.discovery).publish.allow, command)).toBe(false);
    expect(allows(natsPermissions(busManifests.scheduler).publish.allow, command)).toBe(true);
  });

  it('let only agent-gateway write and read the presence bucket and send gateway signals', () => {
    for (const service of serviceNames) {
      const allow = natsPermissions(busManifests[service]).publish.allow;
      const gateway = service === 'agent-gateway';
      expect(allows(allow, '$KV.AGENT_PRESENCE.site.s.agent.a'), service).toBe(gateway);
      expect(allows(allow, '$JS.API.DIRECT.GET.KV_AGENT_PRESENCE'), service).toBe(gateway);
      expect(allows(allow, 'muster.gateway.i-1.deliver'), service).toBe(gateway);
      expect(
        allows(natsPermissions(busManifests[service]).subscribe.allow, 'muster.gateway.control'),
        service,
      ).toBe(gateway);
    }
  });

  it('let only the services that ask a query send it', () => {
    for (const service of serviceNames) {
      const asks = busManifests[service].asks.includes(queries.getMachine);
      expect(
        allows(natsPermissions(busManifests[service]).publish.allow, queries.getMachine.subject),
        service,
      ).toBe(asks);
    }
  });
});
