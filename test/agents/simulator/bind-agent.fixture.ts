import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { BindAgentResponseSchema, queries, type BindAgentRequest } from '@muster/contracts';
import { serveQuery, type BusConnection } from '@muster/messaging';

/**
 * A stand-in for inventory's answer to `queries.bindAgent`, until inventory lands: the one file
 * to swap for the real inventory service. It binds an identity to a stable machine id (by SMBIOS
 * UUID, else serial, else the first MAC), creates the machine the first time, and reports the
 * agent that was bound before (a re-imaged machine). Idempotent per agent_id, like the contract.
 */
export function startBindAgentResponder(bus: BusConnection): {
  stop(): void;
  bound: ReadonlyMap<string, string>;
} {
  const machineByIdentity = new Map<string, string>();
  const agentByMachine = new Map<string, string>();
  const bound = new Map<string, string>();
  const subscription = serveQuery(bus, queries.bindAgent, (request: BindAgentRequest) => {
    const identity = request.identity!;
    const key = identity.smbiosUuid || identity.serial || identity.macs[0] || request.agentId;
    let machineId = machineByIdentity.get(key);
    const created = machineId === undefined;
    machineId ??= uuidFrom(key);
    machineByIdentity.set(key, machineId);
    const previous = agentByMachine.get(machineId);
    agentByMachine.set(machineId, request.agentId);
    bound.set(request.agentId, machineId);
    return Promise.resolve(
      create(BindAgentResponseSchema, {
        result: {
          case: 'bound',
          value: {
            machineId,
            created,
            previousAgentId: previous && previous !== request.agentId ? previous : '',
          },
        },
      }),
    );
  });
  return { stop: () => subscription.unsubscribe(), bound };
}

function uuidFrom(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
