import { describe, expect, it } from 'vitest';
import { contracts, fleetEvents, patternCovers, streams, subjectMatches } from '@muster/contracts';
import {
  coveringFilter,
  InvalidSelectionError,
  planStreams,
  selectContracts,
  siteOf,
  typeMatches,
} from './event-selection.js';

describe('typeMatches', () => {
  it('matches a type exactly, or by a prefix ending in *', () => {
    expect(typeMatches('io.muster.agent.status.v1', 'io.muster.agent.status.v1')).toBe(true);
    expect(typeMatches('io.muster.agent.status', 'io.muster.agent.status.v1')).toBe(false);
    expect(typeMatches('io.muster.inventory.*', 'io.muster.inventory.machine.updated.v1')).toBe(true);
    expect(typeMatches('io.muster.inventory.*', 'io.muster.image.release.published.v1')).toBe(false);
    expect(typeMatches('*', 'io.muster.agent.status.v1')).toBe(true);
  });
});

describe('selectContracts', () => {
  it('is every fleet event without a filter, and never commands, heartbeats or facts', () => {
    expect(selectContracts({})).toEqual(fleetEvents);
    const names = selectContracts({}).map((c) => c.name);
    for (const internal of [contracts.agentCommand, contracts.agentHeartbeat, contracts.agentFacts]) {
      expect(names).not.toContain(internal.name);
    }
  });

  it('leaves out fleet-wide events when a site is asked for', () => {
    const site = selectContracts({ site: 'branch-1' });
    expect(site.length).toBeGreaterThan(0);
    expect(site.every((c) => c.tokens.includes('siteId'))).toBe(true);
    expect(site).not.toContain(contracts.imagePublished);
  });

  it('refuses a type that names no fleet event, and a site that is not a subject token', () => {
    expect(() => selectContracts({ types: ['io.muster.agent.command.v1'] })).toThrow(InvalidSelectionError);
    expect(() => selectContracts({ types: ['io.muster.nope.*'] })).toThrow(/names no fleet event/);
    expect(() => selectContracts({ types: ['bad type'] })).toThrow(/not a CloudEvents type/);
    expect(() => selectContracts({ site: 'a.b' })).toThrow(InvalidSelectionError);
    expect(() => selectContracts({ site: '*' })).toThrow(InvalidSelectionError);
  });
});

describe('coveringFilter', () => {
  it('keeps equal tokens and turns differing ones into *', () => {
    expect(coveringFilter(['muster.site.s1.agent.*.status.v1', 'muster.site.s1.agent.*.facts.v1'])).toBe(
      'muster.site.s1.agent.*.*.v1',
    );
  });
  it('falls back to the common prefix and > for patterns of different lengths', () => {
    expect(
      coveringFilter([
        'muster.site.s1.inventory.machine.*.updated.v1',
        'muster.site.s1.inventory.site.changed.v1',
      ]),
    ).toBe('muster.site.s1.inventory.>');
    expect(coveringFilter(['muster.a.b.v1'])).toBe('muster.a.b.v1');
  });
});

describe('planStreams', () => {
  it('reads each stream once, with a filter that covers exactly what was asked and a site on the server', () => {
    const plans = planStreams({ site: 'branch-7' });
    for (const plan of plans) {
      expect(plan.filterSubject).toContain('.branch-7.');
      for (const c of plan.contracts) {
        expect(
          subjectMatches(plan.filterSubject!, c.pattern({ siteId: 'branch-7' }).replaceAll('*', 'x')),
        ).toBe(true);
      }
    }
    expect(new Set(plans.map((p) => p.stream)).size).toBe(plans.length);
  });

  it('reads the whole stream when no single filter inside the stream’s subjects covers the types', () => {
    const fleetWide = { ...contracts.machineUpdated, filter: 'muster.inventory.group.*.changed.v1' };
    expect(coveringFilter([contracts.machineUpdated.filter, fleetWide.filter])).toBe('muster.>');
    for (const plan of planStreams({})) {
      if (plan.filterSubject === undefined) continue;
      const stream = streams.find((s) => s.name === plan.stream)!;
      expect(
        stream.subjects.some((s) => patternCovers(s, plan.filterSubject!)),
        plan.stream,
      ).toBe(true);
    }
  });

  it('reads only the streams of the types asked for', () => {
    const plans = planStreams({ types: ['io.muster.agent.status.v1'] });
    expect(plans).toEqual([
      {
        stream: 'AGENT_TELEMETRY',
        filterSubject: contracts.agentStatus.filter,
        contracts: [contracts.agentStatus],
      },
    ]);
  });
});

describe('siteOf', () => {
  it('reads the site token of a site-scoped subject, and nothing for a fleet-wide one', () => {
    expect(
      siteOf(contracts.agentStatus, contracts.agentStatus.subject({ siteId: 's9', agentId: 'a1' })),
    ).toBe('s9');
    expect(siteOf(contracts.imagePublished, 'muster.image.release.r1.published.v1')).toBeUndefined();
  });
});
