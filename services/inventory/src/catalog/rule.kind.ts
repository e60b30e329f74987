import { create, toJson } from '@bufbuild/protobuf';
import { AssignmentRuleChangedSchema, AssignmentRuleSchema, contracts } from '@muster/contracts';
import type { CatalogKind } from './catalog-kind.js';
import { changeFields, FULL_JSON, metaFields } from './catalog-message.js';
import { requireCatalogEntries } from './catalog-refs.js';
import { ruleCreate, rulePatch, type RuleValue } from './catalog.schemas.js';

const ruleMessage = (value: RuleValue, meta: Parameters<typeof metaFields>[0]) =>
  create(AssignmentRuleSchema, {
    ruleId: value.ruleId,
    priority: value.priority,
    match: {
      facts: value.match.facts ?? {},
      network: value.match.network ?? '',
      labels: value.match.labels ?? '',
    },
    assign: {
      siteId: value.assign.siteId ?? '',
      groupId: value.assign.groupId ?? '',
      profileId: value.assign.profileId ?? '',
      labels: value.assign.labels ?? {},
    },
    enabled: value.enabled,
    ...metaFields(meta),
  });

/** Assignment rules: what they assign must exist when the rule is written. */
export const ruleKind: CatalogKind<RuleValue, typeof ruleCreate, typeof rulePatch> = {
  noun: 'assignment rule',
  path: 'v1/assignment-rules',
  listKey: 'rules',
  table: 'assignment_rule',
  idColumn: 'rule_id',
  idKey: 'ruleId',
  columns: [
    { column: 'priority', key: 'priority', cast: 'integer' },
    { column: 'match', key: 'match', cast: 'jsonb' },
    { column: 'assign', key: 'assign', cast: 'jsonb' },
    { column: 'enabled', key: 'enabled', cast: 'boolean' },
  ],
  create: ruleCreate,
  patch: rulePatch,
  toJson: (value, meta) => toJson(AssignmentRuleSchema, ruleMessage(value, meta), FULL_JSON),
  announce: (outbox, manager, value, meta, deleted) =>
    outbox
      .add(
        manager,
        contracts.assignmentRuleChanged,
        { ruleId: value.ruleId },
        create(AssignmentRuleChangedSchema, {
          ruleId: value.ruleId,
          rule: ruleMessage(value, meta),
          ...changeFields(meta, deleted),
        }),
      )
      .then(() => undefined),
  checkReferences: (manager, value) =>
    requireCatalogEntries(manager, [
      { kind: 'site', id: value.assign.siteId, field: 'assign.siteId' },
      { kind: 'group', id: value.assign.groupId, field: 'assign.groupId' },
      { kind: 'profile', id: value.assign.profileId, field: 'assign.profileId' },
    ]),
};
