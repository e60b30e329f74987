import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import {
  BindAgentResponseSchema,
  MachineState,
  type BindAgentRequest,
  type BindAgentResponse,
} from '@muster/contracts';
import { OutboxRelay } from '@muster/persistence';
import { checkTransition } from '../lifecycle/machine-lifecycle.js';
import { MachineEntity } from '../machines/machine.entity.js';
import { MachineWriter } from '../machines/machine-writer.js';
import { MachinesRepository } from '../machines/machines.repository.js';
import { matchIdentity, type Candidate } from './identity-match.js';

/** States from which an agent's enrollment means the machine is deployed. */
const DEPLOYS_ON_BIND = new Set(['ASSIGNED', 'PROVISIONING', 'REIMAGING']);

/**
 * Binds an enrolling agent to its machine (queries.bindAgent). In one transaction, under
 * advisory locks on the agent id and every identity key (so that two binds of one machine, or
 * two agents of one new machine, run one after the other):
 *
 * 1. the machine already bound to this agent id answers again (idempotent per agent_id);
 * 2. else the identity is matched (matchIdentity: UUID, then serial, then a shared MAC);
 *    a conflict, a retired machine, or a machine at another site than the token's is refused;
 * 3. else a machine is created at the token's site, DEPLOYED (its agent runs).
 *
 * A bound machine records the agent id (its agent sequences restart), takes the token's site
 * if it had none, fills identity keys it lacked, and moves from ASSIGNED, PROVISIONING or
 * REIMAGING to DEPLOYED; the change is history (`agent:<agentId>`) and `machine.updated`.
 */
@Injectable()
export class AgentBinder {
  constructor(
    @Inject(MachinesRepository) private readonly machines: MachinesRepository,
    @Inject(MachineWriter) private readonly writer: MachineWriter,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  async bind(request: BindAgentRequest): Promise<BindAgentResponse> {
    const identity = {
      smbiosUuid: (request.identity?.smbiosUuid ?? '').toLowerCase(),
      serial: (request.identity?.serial ?? '').trim(),
      macs: [...new Set(request.identity?.macs ?? [])].sort(),
    };
    const response = await this.machines.inTransaction(async (manager) => {
      await lockKeys(manager, [
        `agent:${request.agentId}`,
        ...(identity.smbiosUuid ? [`uuid:${identity.smbiosUuid}`] : []),
        ...(identity.serial ? [`serial:${identity.serial}`] : []),
        ...identity.macs.map((m) => `mac:${m}`),
      ]);
      const actor = `agent:${request.agentId}`;
      const already = await manager.getRepository(MachineEntity).findOneBy({ agentId: request.agentId });
      if (already) {
        if (already.state === 'RETIRED') return refused(`machine ${already.machineId} is retired`);
        return bound(already.machineId, false, '');
      }

      const match = matchIdentity(identity, await this.candidates(manager, identity));
      if (match.kind === 'conflict') return refused(match.reason);
      if (match.kind === 'none') {
        const row = newMachine(request, identity);
        await this.machines.insertNew(manager, [row]);
        await this.writer.announce(
          manager,
          row,
          { state: { from: null, to: row.state }, agent_id: { from: null, to: row.agentId } },
          { actor, kind: 'agent-created', reason: 'an enrolled agent matched no known machine' },
        );
        return bound(row.machineId, true, '');
      }

      const machine = (await this.writer.lock(manager, match.machineId))!;
      if (machine.state === 'RETIRED') return refused(`machine ${machine.machineId} is retired`);
      if (machine.siteId !== 'unassigned' && machine.siteId !== request.siteId) {
        return refused(
          `machine ${machine.machineId} belongs to site ${machine.siteId}, not ${request.siteId}`,
        );
      }
      const previous = machine.agentId ?? '';
      await this.writer.changeLocked(
        manager,
        machine,
        (m) => {
          m.agentId = request.agentId;
          m.agentFactsSeq = '0';
          m.agentBeatSeq = '0';
          m.agentStatusSeq = '0';
          m.lastStatus = null;
          if (m.siteId === 'unassigned') m.siteId = request.siteId;
          m.smbiosUuid ??= identity.smbiosUuid || null;
          m.serial ??= identity.serial || null;
          m.macs = [...new Set([...m.macs, ...identity.macs])].sort();
          if (request.hostname) m.hostname = request.hostname.toLowerCase();
          if (DEPLOYS_ON_BIND.has(m.state) && checkTransition(m.state, 'DEPLOYED', m).ok)
            m.state = 'DEPLOYED';
        },
        { actor, kind: 'agent-bound', reason: `agent enrolled (matched by ${match.by})` },
      );
      return bound(machine.machineId, false, previous === request.agentId ? '' : previous);
    });
    this.relay.kick();
    return response;
  }

  private async candidates(
    manager: EntityManager,
    identity: { smbiosUuid: string; serial: string; macs: string[] },
  ): Promise<Candidate[]> {
    const rows = await manager.query<
      { machine_id: string; smbios_uuid: string | null; serial: string | null; macs: string[] }[]
    >(
      `SELECT machine_id, smbios_uuid, serial, macs FROM machine
        WHERE ($1 <> '' AND smbios_uuid = $1) OR ($2 <> '' AND serial = $2) OR macs && $3::text[]`,
      [identity.smbiosUuid, identity.serial, identity.macs],
    );
    return rows.map((r) => ({
      machineId: r.machine_id,
      smbiosUuid: r.smbios_uuid,
      serial: r.serial,
      macs: r.macs,
    }));
  }
}

/** Transaction-scoped advisory locks, taken in one order so that two binds never deadlock. */
async function lockKeys(manager: EntityManager, keys: readonly string[]): Promise<void> {
  await manager.query(
    `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 14))) FROM (SELECT k FROM unnest($1::text[]) k ORDER BY k) s`,
    [[...new Set(keys)]],
  );
}

function newMachine(
  request: BindAgentRequest,
  identity: { smbiosUuid: string; serial: string; macs: string[] },
): MachineEntity {
  const now = new Date();
  return {
    machineId: randomUUID(),
    siteId: request.siteId,
    groupId: null,
    profileId: null,
    labels: {},
    state: MachineState[MachineState.DEPLOYED],
    smbiosUuid: identity.smbiosUuid || null,
    serial: identity.serial || null,
    macs: identity.macs,
    hardware: {},
    hostname: request.hostname ? request.hostname.toLowerCase() : null,
    revision: '1',
    discoveryRevision: '0',
    discoveredAt: now,
    updatedAt: now,
    agentId: request.agentId,
    desiredReleaseId: null,
    currentReleaseId: null,
    lastSeen: null,
    pinned: false,
    ipAddress: null,
    os: null,
    agentFactsSeq: '0',
    agentBeatSeq: '0',
    lastStatus: null,
    agentStatusSeq: '0',
  };
}

const bound = (machineId: string, created: boolean, previousAgentId: string): BindAgentResponse =>
  create(BindAgentResponseSchema, {
    result: { case: 'bound', value: { machineId, created, previousAgentId } },
  });

const refused = (reason: string): BindAgentResponse =>
  create(BindAgentResponseSchema, { result: { case: 'refused', value: reason } });
