import type { BusManifest, MessageContract, QueryContract } from '@muster/contracts';

/** A handler in the code that the service's bus manifest does not declare. */
export class UndeclaredHandlerError extends Error {
  override readonly name = 'UndeclaredHandlerError';
}

export type DeclaredHandler =
  { kind: 'event'; contract: MessageContract; durable: string } | { kind: 'query'; query: QueryContract };

/**
 * Refuses handlers the manifest does not declare, all named at once: the manifest is what the
 * service's NATS user may do, so a handler outside it would fail on the bus anyway, later and
 * less clearly. Declaring it in the manifest is what grants the permission.
 */
export function assertDeclared(manifest: BusManifest, handlers: readonly DeclaredHandler[]): void {
  const where = `busManifests['${manifest.service}'] (libs/contracts/src/services.ts)`;
  const problems = handlers.flatMap((h) => {
    if (h.kind === 'query') {
      return manifest.answers.some((q) => q.subject === h.query.subject)
        ? []
        : [`@AnswerQuery(${h.query.name}) is not in ${where}.answers`];
    }
    return manifest.consumes.some((x) => x.contract.name === h.contract.name && x.durable === h.durable)
      ? []
      : [`@OnEvent(${h.contract.name}, durable '${h.durable}') is not in ${where}.consumes`];
  });
  if (problems.length > 0) {
    throw new UndeclaredHandlerError(
      `${manifest.service} refuses to start: ${problems.join('; ')}. Declare it there (that also grants its NATS permission).`,
    );
  }
}
