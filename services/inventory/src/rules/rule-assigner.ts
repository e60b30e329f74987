import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Delivery } from '@muster/messaging';
import type { RuleValue } from '../catalog/catalog.schemas.js';
import { checkTransition } from '../lifecycle/machine-lifecycle.js';
import type { MachineEntity } from '../machines/machine.entity.js';
import { MachineWriter } from '../machines/machine-writer.js';
import { applyRules, type RuleOutcome } from './rule-matching.js';

/**
 * Applies the assignment rules to machines just discovered, in the transaction that recorded
 * them. Only machines still DISCOVERED and not pinned by an operator are touched. What the
 * rules decide (applyRules: priority order, first match wins per field, nothing the machine
 * has is overridden) is written as one change per deciding rule, in rule order, each with
 * actor `rule:<ruleId>`; a machine that ends with a site, group and profile moves to ASSIGNED
 * in the change of the rule that completed it.
 */
@Injectable()
export class RuleAssigner {
  constructor(@Inject(MachineWriter) private readonly writer: MachineWriter) {}

  async assign(
    manager: EntityManager,
    machineIds: readonly string[],
    causeOf: (machineId: string) => Delivery<unknown> | undefined,
  ): Promise<void> {
    if (machineIds.length === 0) return;
    const rules = await this.enabledRules(manager);
    if (rules.length === 0) return;
    for (const machineId of [...machineIds].sort()) {
      const row = await this.writer.lock(manager, machineId);
      if (!row || row.pinned || row.state !== 'DISCOVERED') continue;
      const outcome = applyRules(rules, row);
      await this.write(manager, row, outcome, causeOf(machineId));
    }
  }

  private async write(
    manager: EntityManager,
    row: MachineEntity,
    outcome: RuleOutcome,
    cause: Delivery<unknown> | undefined,
  ): Promise<void> {
    const byRule = new Map<string, ((m: MachineEntity) => void)[]>();
    const add = (ruleId: string, edit: (m: MachineEntity) => void) =>
      byRule.set(ruleId, [...(byRule.get(ruleId) ?? []), edit]);
    if (outcome.siteId) add(outcome.siteId.ruleId, (m) => void (m.siteId = outcome.siteId!.value));
    if (outcome.groupId) add(outcome.groupId.ruleId, (m) => void (m.groupId = outcome.groupId!.value));
    if (outcome.profileId)
      add(outcome.profileId.ruleId, (m) => void (m.profileId = outcome.profileId!.value));
    for (const [key, { value, ruleId }] of Object.entries(outcome.labels))
      add(ruleId, (m) => void (m.labels[key] = value));

    let current = row;
    for (const [ruleId, edits] of byRule) {
      const result = await this.writer.changeLocked(
        manager,
        current,
        (m) => {
          for (const edit of edits) edit(m);
          if (checkTransition(m.state, 'ASSIGNED', m).ok) m.state = 'ASSIGNED';
        },
        {
          actor: `rule:${ruleId}`,
          kind: 'rule-assigned',
          reason: `assignment rule ${ruleId}`,
          ...(cause ? { cause } : {}),
        },
      );
      current = result.row;
    }
  }

  /** Enabled rules in the order they apply (the matcher sorts too; the index serves this read). */
  private async enabledRules(manager: EntityManager): Promise<RuleValue[]> {
    const rows = await manager.query<
      { rule_id: string; priority: number; match: RuleValue['match']; assign: RuleValue['assign'] }[]
    >(
      'SELECT rule_id, priority, match, assign FROM assignment_rule WHERE enabled ORDER BY priority, rule_id',
    );
    return rows.map((r) => ({
      ruleId: r.rule_id,
      priority: r.priority,
      match: r.match,
      assign: r.assign,
      enabled: true,
    }));
  }
}
