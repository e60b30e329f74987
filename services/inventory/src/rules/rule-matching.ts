import { cidrContains } from '../catalog/cidr.js';
import { parseSelector, selectorMatches } from '../listing/label-selector.js';

/** An assignment rule as the matcher sees it (the API's JSON shape). */
export interface RuleInput {
  ruleId: string;
  priority: number;
  enabled: boolean;
  match: { facts?: Record<string, string>; network?: string; labels?: string };
  assign: { siteId?: string; groupId?: string; profileId?: string; labels?: Record<string, string> };
}

/** What a rule is matched against. */
export interface MachineFacts {
  siteId: string;
  groupId: string | null;
  profileId: string | null;
  labels: Record<string, string>;
  /** HardwareFacts in protobuf JSON (camelCase paths, 64-bit numbers as strings). */
  hardware: Record<string, unknown>;
  ipAddress: string | null;
}

/** What the rules decide: each field with the rule that set it. */
export interface RuleOutcome {
  siteId?: { value: string; ruleId: string };
  groupId?: { value: string; ruleId: string };
  profileId?: { value: string; ruleId: string };
  labels: Record<string, { value: string; ruleId: string }>;
}

const COMPARATOR = /^(>=|<=|!=|>|<)(.*)$/;

/**
 * Whether one fact expectation holds. The path is dotted into the HardwareFacts JSON
 * (`cpu.architecture`, `memoryBytes`, `disks.0.bus`); a missing value never matches. The
 * expected text is compared with the value's text, or after a comparator: `!=x` (text), and
 * `>=n`, `<=n`, `>n`, `<n` (numbers — both sides must be numbers, else no match).
 */
export function factMatches(hardware: Record<string, unknown>, path: string, expected: string): boolean {
  let value: unknown = hardware;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
  const actual = String(value);
  const op = COMPARATOR.exec(expected);
  if (!op) return actual === expected;
  const [, comparator, operand = ''] = op;
  if (comparator === '!=') return actual !== operand;
  const a = Number(actual);
  const b = Number(operand);
  if (actual.trim() === '' || operand.trim() === '' || Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (comparator) {
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a < b;
  }
}

/** Whether every part of the rule's match holds (an empty match holds for every machine). */
export function ruleMatches(rule: RuleInput, machine: MachineFacts): boolean {
  const { facts = {}, network, labels } = rule.match;
  for (const [path, expected] of Object.entries(facts)) {
    if (!factMatches(machine.hardware, path, expected)) return false;
  }
  if (network && !(machine.ipAddress && cidrContains(network, machine.ipAddress))) return false;
  if (labels && !selectorMatches(parseSelector([labels]), machine.labels)) return false;
  return true;
}

/**
 * What the rules give a machine. Enabled rules are taken in order of priority (lower first,
 * then rule id); for each field — site, group, profile, each label key — the first matching
 * rule that sets it wins, and later rules only fill what is still open. A field the machine
 * already has is never overridden: the site discovery decided from the site networks stands
 * (a rule's site applies only to a machine at `unassigned`), as do its group, profile and
 * labels. Every rule matches the machine as it came: a label one rule adds is not seen by the
 * selectors of the rules after it.
 */
export function applyRules(rules: readonly RuleInput[], machine: MachineFacts): RuleOutcome {
  const outcome: RuleOutcome = { labels: {} };
  const ordered = rules
    .filter((r) => r.enabled)
    .sort((a, b) => a.priority - b.priority || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  for (const rule of ordered) {
    if (!ruleMatches(rule, machine)) continue;
    const { siteId, groupId, profileId, labels = {} } = rule.assign;
    if (siteId && !outcome.siteId && machine.siteId === 'unassigned')
      outcome.siteId = { value: siteId, ruleId: rule.ruleId };
    if (groupId && !outcome.groupId && !machine.groupId)
      outcome.groupId = { value: groupId, ruleId: rule.ruleId };
    if (profileId && !outcome.profileId && !machine.profileId) {
      outcome.profileId = { value: profileId, ruleId: rule.ruleId };
    }
    for (const [key, value] of Object.entries(labels)) {
      if (!outcome.labels[key] && !Object.hasOwn(machine.labels, key))
        outcome.labels[key] = { value, ruleId: rule.ruleId };
    }
  }
  return outcome;
}
