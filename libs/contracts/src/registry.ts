import type { MessageContract, QueryContract } from './contract.js';
import { contracts } from './messages.js';
import { queries } from './queries.js';
import { subjectMatches } from './subject-pattern.js';

export const allContracts: readonly MessageContract[] = Object.values(contracts);
export const allQueries: readonly QueryContract[] = Object.values(queries);

const byType = new Map<string, MessageContract>(allContracts.map((c) => [c.type, c]));

/** The contract for a CloudEvents `ce-type`, or undefined for a type this build does not know. */
export function contractByType(type: string): MessageContract | undefined {
  return byType.get(type);
}

/** The contract whose filter matches a concrete subject, or undefined. */
export function contractBySubject(subject: string): MessageContract | undefined {
  return allContracts.find((c) => subjectMatches(c.filter, subject));
}
