import type { Command } from 'commander';
import { collectPairs, collectSelector, parseNonNegativeInt } from '../flags/flag-parsers.js';
import type { CliIo } from './context.js';
import { resourceCommands } from './resource-commands.js';

interface Rule {
  ruleId: string;
  priority?: number;
  enabled?: boolean;
  match?: { facts?: Record<string, unknown>; network?: string; labels?: string };
  assign?: { siteId?: string; groupId?: string; profileId?: string; labels?: Record<string, string> };
}

export function rulesCommand(io: CliIo): Command {
  return resourceCommands<Rule>(
    io,
    {
      command: 'rules',
      noun: 'assignment rule',
      path: '/v1/assignment-rules',
      itemsKey: 'rules',
      idField: 'ruleId',
      idOnCreate: 'option',
      columns: [
        { header: 'RULE', value: (r) => r.ruleId, max: 36 },
        { header: 'PRIO', value: (r) => r.priority },
        { header: 'ON', value: (r) => (r.enabled === false ? 'no' : 'yes') },
        {
          header: 'MATCH',
          value: (r) =>
            [
              r.match?.network,
              r.match?.labels,
              ...Object.entries(r.match?.facts ?? {}).map(([k, v]) => `${k}=${String(v)}`),
            ].filter(Boolean),
          max: 48,
        },
        {
          header: 'ASSIGN',
          value: (r) =>
            [
              r.assign?.siteId && `site=${r.assign.siteId}`,
              r.assign?.groupId && `group=${r.assign.groupId}`,
              r.assign?.profileId && `profile=${r.assign.profileId}`,
            ].filter(Boolean),
          max: 48,
        },
      ],
      fields: [
        {
          flags: '--priority <n>',
          description: 'lower applies first',
          path: 'priority',
          attribute: 'priority',
          parse: parseNonNegativeInt,
        },
        {
          flags: '--match-network <cidr>',
          description: 'machines in this network',
          path: 'match.network',
          attribute: 'matchNetwork',
        },
        {
          flags: '--match-labels <selector>',
          description: 'machines whose labels match (k=v,k!=v,k,!k; repeatable)',
          path: 'match.labels',
          attribute: 'matchLabels',
          parse: collectSelector,
          map: (terms: string[]) => terms.join(','),
        },
        {
          flags: '--match-fact <path=value>',
          description: 'a hardware fact, e.g. cpu.cores=8 (repeatable)',
          path: 'match.facts',
          attribute: 'matchFact',
          parse: collectPairs,
        },
        {
          flags: '--assign-site <siteId>',
          description: 'the site to assign',
          path: 'assign.siteId',
          attribute: 'assignSite',
        },
        {
          flags: '--assign-group <groupId>',
          description: 'the group to assign',
          path: 'assign.groupId',
          attribute: 'assignGroup',
        },
        {
          flags: '--assign-profile <profileId>',
          description: 'the profile to assign',
          path: 'assign.profileId',
          attribute: 'assignProfile',
        },
        {
          flags: '--assign-label <k=v>',
          description: 'a label to set (repeatable)',
          path: 'assign.labels',
          attribute: 'assignLabel',
          parse: collectPairs,
        },
        { flags: '--enabled', description: 'the rule applies', path: 'enabled', attribute: 'enabled' },
        {
          flags: '--disabled',
          description: 'the rule is kept but does not apply',
          path: 'enabled',
          attribute: 'disabled',
          map: () => false,
        },
      ],
    },
    'assignment rules: match hardware facts, a network or labels → site, group, profile',
  );
}
