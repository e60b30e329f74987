import { describe, expect, it } from 'vitest';
import { InvalidSubjectTokenError } from './contract.js';
import { deadLetter } from './dead-letter.js';
import { contracts } from './messages.js';
import { allContracts, allQueries, contractBySubject, contractByType } from './registry.js';
import { streams } from './streams.js';
import { patternCovers, patternsOverlap, subjectMatches } from './subject-pattern.js';

const templateless = (template: string): string =>
  template.replace(/\.\{[a-zA-Z]+\}/g, '').replace(/^muster\./, '');

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
      expect(s.maxAgeSeconds === 0 || s.maxAgeSeconds >= s.duplicateWindowSeconds, s.name).toBe(true);
    }
  });

  it('capture each contract in exactly one stream, the one its row names', () => {
    for (const c of allContracts) {
      const capturing = streams.filter((s) => s.subjects.some((subject) => patternCovers(subject, c.filter)));
      expect(
        capturing.map((s) => s.name),
        c.name,
      ).toEqual([c.stream]);
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

  it('name subjects after the contract: muster.<name> with the scoping tokens', () => {
    for (const c of allContracts) {
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

  it('fill subject tokens', () => {
    expect(contracts.agentHeartbeat.subject({ siteId: 'berlin-3', agentId: 'a-17' })).toBe(
      'muster.agent.berlin-3.a-17.heartbeat.v1',
    );
    expect(contracts.imagePublished.subject({})).toBe('muster.image.release.published.v1');
    // @ts-expect-error -- agentId is required by the template
    expect(() => contracts.agentStatus.subject({ siteId: 's1' })).toThrow(InvalidSubjectTokenError);
  });

  it.each(['a.b', '*', '>', 'a b', '', 'x\ty', 'a>'])('reject the token %j', (token) => {
    expect(() => contracts.machineDiscovered.subject({ siteId: token })).toThrow(InvalidSubjectTokenError);
    expect(() => deadLetter.subject(token)).toThrow(InvalidSubjectTokenError);
  });

  it('are found by type and by subject', () => {
    expect(contractByType('io.muster.agent.command.v1')).toBe(contracts.agentCommand);
    expect(contractByType('io.muster.agent.command.v9')).toBeUndefined();
    expect(contractBySubject('muster.rollout.s1.deployment.changed.v1')).toBe(
      contracts.deploymentStateChanged,
    );
    expect(contractBySubject('muster.agent.s1.a1.facts.v1')).toBe(contracts.agentFacts);
    expect(contractBySubject('muster.agent.s1.facts.v1')).toBeUndefined();
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
