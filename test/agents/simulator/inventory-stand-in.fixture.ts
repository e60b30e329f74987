import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  BindAgentResponseSchema,
  GetMachineResponseSchema,
  MachineState,
  queries,
  type BindAgentRequest,
  type GetMachineRequest,
  type HardwareIdentity,
} from '@muster/contracts';
import { serveQuery, type BusConnection } from '@muster/messaging';

/**
 * A stand-in for inventory's answers to agent-gateway — `queries.bindAgent` (enrollment) and
 * `queries.getMachine` (the desired state sent on connect) — until inventory lands: the one file
 * to swap for the real inventory service. It binds an identity to a stable machine id (by SMBIOS
 * UUID, else serial, else the first MAC), creates the machine the first time, and reports the
 * agent bound before (a re-imaged machine); idempotent per agent_id, like the contract. Any
 * machine id it is asked about is a deployed machine of the site it was bound at (or
 * "unassigned"), with no release yet.
 */
export function startInventoryStandIn(bus: BusConnection): {
  stop(): void;
  bound: ReadonlyMap<string, string>;
} {
  const machineByIdentity = new Map<string, string>();
  const agentByMachine = new Map<string, string>();
  const machines = new Map<string, { siteId: string; identity: HardwareIdentity; agentId: string }>();
  const bound = new Map<string, string>();
  const binding = serveQuery(bus, queries.bindAgent, (request: BindAgentRequest) => {
    const identity = request.identity!;
    const key = identity.smbiosUuid || identity.serial || identity.macs[0] || request.agentId;
    let machineId = machineByIdentity.get(key);
    const created = machineId === undefined;
    machineId ??= uuidFrom(key);
    machineByIdentity.set(key, machineId);
    const previous = agentByMachine.get(machineId);
    agentByMachine.set(machineId, request.agentId);
    machines.set(machineId, { siteId: request.siteId, identity, agentId: request.agentId });
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
  const lookup = serveQuery(bus, queries.getMachine, (request: GetMachineRequest) => {
    const known = machines.get(request.machineId);
    const now = timestampNow();
    return Promise.resolve(
      create(GetMachineResponseSchema, {
        found: true,
        machine: {
          machineId: request.machineId,
          siteId: known?.siteId ?? 'unassigned',
          state: MachineState.DEPLOYED,
          identity: known?.identity ?? { macs: ['52:54:00:00:00:01'] },
          agentId: known?.agentId ?? '',
          revision: 1n,
          discoveredAt: now,
          updatedAt: now,
        },
      }),
    );
  });
  return {
    stop: () => {
      binding.unsubscribe();
      lookup.unsubscribe();
    },
    bound,
  };
}

function uuidFrom(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
