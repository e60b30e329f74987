import { ScalarType } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { InvalidSubjectTokenError } from './contract.js';
import { deadLetter } from './dead-letter.js';
import { contracts } from './messages.js';
import { scopedSubjects } from './scope.js';
import { allContracts, allQueries, contractBySubject, contractByType } from './registry.js';
import { streams } from './streams.js';
import { patternCovers, patternsOverlap, subjectMatches } from './subject-pattern.js';

const templateless = (template: string): string =>
  template
    .replace(/^muster\./, '')
    .replace(/^site\.\{siteId\}\./, '')
    .replace(/\.\{[a-zA-Z]+\}/g, '');

const v2 = (subject: string): string => subject.replace(/\.v1$/, '.v2');

describe('streams', () => {
  it('have unique names and subjects that never overlap', () => {
    expect(new Set(streams.map((s) => s.name)).size).toBe(streams.length);
    const all = streams.flatMap((s) => s.subjects.map((subject) => ({ stream: s.name, subject })));
    for (const [i, a] of all.entries()) {
      for (const b of all.slice(i + 1)) {
        expect(
          patternsOverlap(a.subject, b.subject),
          `${a.subject} (${a.stream}) vs ${b.subject} (${b.stream})`,
        ).toBe(false);
      }
    }
  });

  it('keep messages longer than their duplicate window', () => {
    for (const s of streams) {
      expect(s.duplicateWindowSeconds).toBeGreaterThan(0);
      const age = s.limits.maxAgeSeconds;
      expect(age === 0 || age >= s.duplicateWindowSeconds, s.name).toBe(true);
    }
  });

  it('each have a size limit, and refuse new messages when full unless values supersede', () => {
    for (const s of streams) {
      expect(s.limits.maxBytes, s.name).toBeGreaterThan(0);
      expect(s.limits.replicas, s.name).toBe(1);
      if (s.kind === 'stream') expect(s.discard, s.name).toBe('new');
    }
  });

  it('name a KV bucket KV_<bucket> with the $KV subjects of that bucket only', () => {
    for (const s of streams.filter((s) => s.kind === 'kv')) {
      expect(s.name).toBe(`KV_${s.bucket}`);
      expect(s.subjects).toEqual([`$KV.${s.bucket}.>`]);
    }
  });

  it('capture each contract, and its next major version, in exactly one stream: the one its row names', () => {
    const capturing = (filter: string) =>
      streams.filter((s) => s.subjects.some((subject) => patternCovers(subject, filter))).map((s) => s.name);
    for (const c of allContracts) {
      expect(capturing(c.filter), c.name).toEqual([c.stream]);
      if (c.kind !== 'state') expect(capturing(v2(c.filter)), `${c.name} as v2`).toEqual([c.stream]);
    }
  });

  it('capture dead letters in DEADLETTER only, and queries in none', () => {
    const dl = deadLetter.subject('inventory-discovered');
    expect(streams.filter((s) => s.subjects.some((p) => subjectMatches(p, dl))).map((s) => s.name)).toEqual([
      deadLetter.stream,
    ]);
    for (const q of allQueries) {
      expect(
        streams.filter((s) => s.subjects.some((p) => subjectMatches(p, q.subject))),
        q.name,
      ).toEqual([]);
    }
  });
});

describe('contracts', () => {
  it('have unique names, types and subjects', () => {
    const rows = [...allContracts, ...allQueries];
    expect(new Set(rows.map((c) => c.name)).size).toBe(rows.length);
    expect(new Set(rows.map((c) => c.type)).size).toBe(rows.length);
    expect(new Set(allContracts.map((c) => c.filter)).size).toBe(allContracts.length);
    for (const c of allContracts) {
      expect(allContracts.filter((o) => patternsOverlap(o.filter, c.filter)).map((o) => o.name)).toEqual([
        c.name,
      ]);
    }
  });

  it('name subjects after the contract: muster.[site.{siteId}.]<name> with the id tokens', () => {
    for (const c of allContracts.filter((c) => c.kind !== 'state')) {
      expect(templateless(c.subjectTemplate), c.name).toBe(c.name);
      expect(c.type).toBe(`io.muster.${c.name}`);
      expect(c.name).toMatch(/\.v[1-9][0-9]*$/);
    }
    for (const q of allQueries) expect(q.subject).toBe(`muster.query.${q.name}`);
  });

  it('scope every agent subject to a site and an agent', () => {
    for (const c of allContracts.filter((c) => c.name.startsWith('agent.'))) {
      expect(c.tokens, c.name).toEqual(['siteId', 'agentId']);
    }
  });

  it('say what orders the events of one entity, and carry that field as an unsigned 64-bit number', () => {
    for (const c of allContracts.filter((c) => c.orderedBy !== 'once')) {
      const field = c.schema.fields.find((f) => f.localName === c.orderedBy);
      expect(field?.fieldKind, `${c.name}.${c.orderedBy}`).toBe('scalar');
      expect(field?.scalar, `${c.name}.${c.orderedBy}`).toBe(ScalarType.UINT64);
    }
  });

  it('carry the machine id as a token on every per-machine event', () => {
    const perMachine = allContracts.filter((c) =>
      Object.values(c.schema.fields).some((f) => f.localName === 'machineId'),
    );
    for (const c of perMachine.filter((c) => !c.name.startsWith('agent.'))) {
      expect(c.tokens, c.name).toContain('machineId');
    }
  });

  it('fill subject tokens', () => {
    expect(contracts.agentStatus.subject({ siteId: 'berlin-3', agentId: 'a-17' })).toBe(
      'muster.site.berlin-3.agent.a-17.status.v1',
    );
    expect(contracts.agentHeartbeat.subject({ siteId: 'berlin-3', agentId: 'a-17' })).toBe(
      '$KV.AGENT_HEARTBEATS.site.berlin-3.agent.a-17',
    );
    expect(contracts.imagePublished.subject({ releaseId: 'r1' })).toBe(
      'muster.image.release.r1.published.v1',
    );
    // @ts-expect-error -- agentId is required by the template
    expect(() => contracts.agentStatus.subject({ siteId: 's1' })).toThrow(InvalidSubjectTokenError);
  });

  it.each(['a.b', '*', '>', 'a b', '', 'x\ty', 'a>'])('reject the token %j', (token) => {
    expect(() => contracts.machineDiscovered.subject({ siteId: token, machineId: 'm1' })).toThrow(
      InvalidSubjectTokenError,
    );
    expect(() => deadLetter.subject(token)).toThrow(InvalidSubjectTokenError);
  });

  it('are found by type and by subject', () => {
    expect(contractByType('io.muster.agent.command.v1')).toBe(contracts.agentCommand);
    expect(contractByType('io.muster.agent.command.v9')).toBeUndefined();
    expect(contractBySubject('muster.site.s1.rollout.deployment.m1.changed.v1')).toBe(
      contracts.deploymentStateChanged,
    );
    expect(contractBySubject('muster.site.s1.agent.a1.facts.v1')).toBe(contracts.agentFacts);
    expect(contractBySubject('muster.site.s1.facts.v1')).toBeUndefined();
    expect(contractBySubject(deadLetter.subject('c1'))).toBeUndefined();
    for (const c of allContracts) {
      const params = Object.fromEntries(c.tokens.map((t) => [t, 'x1']));
      expect(contractBySubject(c.subject(params))).toBe(c);
    }
  });
});

describe('deadLetter', () => {
  it('has one subject per consumer under its filter', () => {
    expect(deadLetter.subject('scheduler-status')).toBe('muster.deadletter.scheduler-status.v1');
    expect(subjectMatches(deadLetter.filter, deadLetter.subject('scheduler-status'))).toBe(true);
  });
});

describe('permissions scoped by site and agent', () => {
  // Every fixed word of every subject, plus ordinary ids: an id equal to a word must not widen
  // or shift a permission (a site named `rollout` is one site, nothing more).
  const words = [...new Set(allContracts.flatMap((c) => c.subjectTemplate.split('.')))].filter(
    (w) => !w.startsWith('{') && /^[A-Za-z0-9_-]+$/.test(w),
  );
  const ids = [...words, 'berlin-3', 'a-17', 'x1'];
  const S = 'rollout';
  const A = 'agent';

  function instances(c: (typeof allContracts)[number]) {
    const out: { subject: string; params: Record<string, string> }[] = [];
    for (const site of ids) {
      for (const other of ids) {
        const params = Object.fromEntries(c.tokens.map((t) => [t, t === 'siteId' ? site : other]));
        out.push({ subject: c.subject(params), params });
      }
    }
    return out;
  }

  // What a leaf node or an operator role would write by hand: one wildcard per scope.
  const broad = {
    site: [`muster.site.${S}.>`, `$KV.*.site.${S}.>`],
    agent: [`muster.site.${S}.agent.${A}.>`, `$KV.*.site.${S}.agent.${A}`],
  };

  it.each([
    ['derived from the table', () => scopedSubjects({ siteId: S })],
    ['as one wildcard', () => broad.site],
  ])('grants one site every message of that site and nothing else (%s)', (_, derive) => {
    const patterns = derive();
    expect(patterns.length).toBeGreaterThan(0);
    for (const c of allContracts) {
      for (const { subject, params } of instances(c)) {
        const granted = patterns.some((p) => subjectMatches(p, subject));
        expect(granted, `${subject} for site ${S}`).toBe(params['siteId'] === S);
      }
    }
    for (const q of allQueries) expect(patterns.some((p) => subjectMatches(p, q.subject))).toBe(false);
    expect(patterns.some((p) => subjectMatches(p, deadLetter.subject(S)))).toBe(false);
  });

  it.each([
    ['derived from the table', () => scopedSubjects({ siteId: S, agentId: A })],
    ['as one wildcard', () => broad.agent],
  ])('grants one agent its own messages and nothing else (%s)', (_, derive) => {
    const patterns = derive();
    expect(patterns.length).toBeGreaterThan(0);
    for (const c of allContracts) {
      for (const { subject, params } of instances(c)) {
        const granted = patterns.some((p) => subjectMatches(p, subject));
        expect(granted, `${subject} for agent ${S}/${A}`).toBe(
          params['siteId'] === S && params['agentId'] === A,
        );
      }
    }
  });
});
