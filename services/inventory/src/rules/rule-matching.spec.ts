import { describe, expect, it } from 'vitest';
import { applyRules, factMatches, ruleMatches, type MachineFacts, type RuleInput } from './rule-matching.js';

const hardware = {
  cpu: { architecture: 'arm64', cores: 4 },
  memoryBytes: '8589934592',
  disks: [{ name: 'mmcblk0', bus: 'mmc' }],
};
const machine: MachineFacts = {
  siteId: 'unassigned',
  groupId: null,
  profileId: null,
  labels: { vendor: 'pi' },
  hardware,
  ipAddress: '10.3.7.9',
};
const rule = (
  ruleId: string,
  priority: number,
  match: RuleInput['match'],
  assign: RuleInput['assign'],
  enabled = true,
) => ({
  ruleId,
  priority,
  enabled,
  match,
  assign,
});

describe('factMatches', () => {
  it.each([
    ['cpu.architecture', 'arm64', true],
    ['cpu.architecture', 'amd64', false],
    ['cpu.architecture', '!=amd64', true],
    ['cpu.cores', '4', true],
    ['cpu.cores', '>=4', true],
    ['cpu.cores', '>4', false],
    ['cpu.cores', '<8', true],
    ['memoryBytes', '>=8589934592', true],
    ['memoryBytes', '<=1073741824', false],
    ['disks.0.bus', 'mmc', true],
    ['cpu.model', 'x', false],
    ['cpu.model', '!=x', false],
    ['cpu', 'x', false],
    ['cpu.architecture', '>=1', false],
    ['nothing.here', '>1', false],
  ])('%s %s → %s', (path, expected, result) => {
    expect(factMatches(hardware, path, expected)).toBe(result);
  });
});

describe('ruleMatches', () => {
  it('needs every part: facts, network and labels', () => {
    expect(ruleMatches(rule('a', 1, {}, {}), machine)).toBe(true);
    expect(
      ruleMatches(
        rule(
          'a',
          1,
          { facts: { 'cpu.architecture': 'arm64' }, network: '10.3.0.0/16', labels: 'vendor=pi' },
          {},
        ),
        machine,
      ),
    ).toBe(true);
    expect(ruleMatches(rule('a', 1, { network: '10.4.0.0/16' }, {}), machine)).toBe(false);
    expect(ruleMatches(rule('a', 1, { network: '10.3.0.0/16' }, {}), { ...machine, ipAddress: null })).toBe(
      false,
    );
    expect(ruleMatches(rule('a', 1, { labels: '!vendor' }, {}), machine)).toBe(false);
  });
});

describe('applyRules', () => {
  it('takes enabled rules by priority then id; the first match that sets a field wins it', () => {
    const outcome = applyRules(
      [
        rule('z-late', 20, {}, { groupId: 'late', profileId: 'late', labels: { floor: '9', extra: 'y' } }),
        rule('off', 0, {}, { groupId: 'disabled' }, false),
        rule(
          'b-arm',
          10,
          { facts: { 'cpu.architecture': 'arm64' } },
          { groupId: 'boards', labels: { floor: '1' } },
        ),
        rule('a-net', 10, { network: '10.3.0.0/16' }, { siteId: 'berlin-3' }),
        rule('amd', 5, { facts: { 'cpu.architecture': 'amd64' } }, { groupId: 'servers' }),
      ],
      machine,
    );
    expect(outcome).toEqual({
      siteId: { value: 'berlin-3', ruleId: 'a-net' },
      groupId: { value: 'boards', ruleId: 'b-arm' },
      profileId: { value: 'late', ruleId: 'z-late' },
      labels: { floor: { value: '1', ruleId: 'b-arm' }, extra: { value: 'y', ruleId: 'z-late' } },
    });
  });

  it('never overrides what the machine has: its decided site, group, profile, labels', () => {
    const placed = { ...machine, siteId: 'paris-1', groupId: 'kept', labels: { vendor: 'pi', floor: '0' } };
    const outcome = applyRules(
      [rule('all', 1, {}, { siteId: 'berlin-3', groupId: 'g', profileId: 'p', labels: { floor: '1' } })],
      placed,
    );
    expect(outcome).toEqual({ profileId: { value: 'p', ruleId: 'all' }, labels: {} });
  });

  it('matches every rule on the machine as it came, not on labels earlier rules added', () => {
    const outcome = applyRules(
      [
        rule('adds', 1, {}, { labels: { role: 'till' } }),
        rule('needs', 2, { labels: 'role=till' }, { groupId: 'tills' }),
      ],
      machine,
    );
    expect(outcome.groupId).toBeUndefined();
    expect(outcome.labels.role).toEqual({ value: 'till', ruleId: 'adds' });
  });
});
