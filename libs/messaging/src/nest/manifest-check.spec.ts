import { describe, expect, it } from 'vitest';
import { busManifests, contracts, queries } from '@muster/contracts';
import { assertDeclared, UndeclaredHandlerError } from './manifest-check.js';

describe('assertDeclared', () => {
  it('accepts the handlers a manifest declares', () => {
    expect(() =>
      assertDeclared(busManifests.inventory, [
        { kind: 'event', contract: contracts.machineDiscovered, durable: 'inventory-machine-discovered' },
        { kind: 'query', query: queries.getMachine },
      ]),
    ).not.toThrow();
  });

  it('refuses a consumer under another durable name, naming the manifest', () => {
    const check = () =>
      assertDeclared(busManifests.inventory, [
        { kind: 'event', contract: contracts.machineDiscovered, durable: 'inventory-discovered-2' },
      ]);
    expect(check).toThrow(UndeclaredHandlerError);
    expect(check).toThrow(
      "@OnEvent(inventory.machine.discovered.v1, durable 'inventory-discovered-2') is not in busManifests['inventory'] (libs/contracts/src/services.ts).consumes",
    );
  });

  it('refuses a consumer of an undeclared contract and a responder of an undeclared query, all at once', () => {
    const check = () =>
      assertDeclared(busManifests.discovery, [
        { kind: 'event', contract: contracts.agentCommand, durable: 'discovery-agent-command' },
        { kind: 'query', query: queries.getMachine },
      ]);
    expect(check).toThrow(
      /agent\.command\.v1.*; @AnswerQuery\(inventory\.machine\.get\.v1\) is not in busManifests\['discovery'\]/,
    );
  });
});
