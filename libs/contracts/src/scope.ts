import type { MessageContract } from './contract.js';
import { allContracts } from './registry.js';

export interface Scope {
  readonly siteId: string;
  /** Narrows to one agent of the site. */
  readonly agentId?: string;
}

/**
 * The subject patterns of every message that belongs to one site, or to one agent of a site:
 * the contract's template with the scope's ids filled and every other token a `*`. A contract
 * with no such token contributes nothing, so the patterns grant exactly the scope (tested
 * against ids equal to every fixed word of every subject).
 */
export function scopedSubjects(scope: Scope, contracts: readonly MessageContract[] = allContracts): string[] {
  return contracts
    .filter(
      (c) => c.tokens.includes('siteId') && (scope.agentId === undefined || c.tokens.includes('agentId')),
    )
    .map((c) => c.pattern({ ...scope }));
}
