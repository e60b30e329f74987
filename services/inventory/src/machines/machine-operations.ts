import { Inject, Injectable } from '@nestjs/common';
import { OutboxRelay } from '@muster/persistence';
import { requireCatalogEntries } from '../catalog/catalog-refs.js';
import { checkTransition } from '../lifecycle/machine-lifecycle.js';
import type { MachineEntity } from './machine.entity.js';
import { MachineRefusedError, MachineWriter, type ChangeResult } from './machine-writer.js';
import type { AssignBody, MachinePatch } from './machines-query.schema.js';
import { MachinesRepository } from './machines.repository.js';

const MAX_LABELS = 64;

/** What an operator does to one machine; each a transaction through MachineWriter. */
@Injectable()
export class MachineOperations {
  constructor(
    @Inject(MachinesRepository) private readonly machines: MachinesRepository,
    @Inject(MachineWriter) private readonly writer: MachineWriter,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  async patch(machineId: string, patch: MachinePatch, actor: string): Promise<ChangeResult | null> {
    return this.run(machineId, actor, 'updated', 'edited by an operator', (m) => {
      refuseRetired(m, 'edited');
      for (const [key, value] of Object.entries(patch.labels ?? {})) {
        if (value === null) delete m.labels[key];
        else m.labels[key] = value;
      }
      if (Object.keys(m.labels).length > MAX_LABELS)
        throw new MachineRefusedError(`a machine has at most ${MAX_LABELS} labels`);
      if (patch.hostname !== undefined) m.hostname = patch.hostname?.toLowerCase() ?? null;
    });
  }

  /**
   * The operator's assignment: sets what it names, pins the machine against assignment rules
   * (unless `pinned: false`), and moves a DISCOVERED machine that now has a site, group and
   * profile to ASSIGNED.
   */
  async assign(machineId: string, body: AssignBody, actor: string): Promise<ChangeResult | null> {
    return this.machines
      .inTransaction(async (manager) => {
        await requireCatalogEntries(manager, [
          { kind: 'site', id: body.siteId, field: 'siteId' },
          { kind: 'group', id: body.groupId, field: 'groupId' },
          { kind: 'profile', id: body.profileId, field: 'profileId' },
        ]);
        return this.writer.change(
          manager,
          machineId,
          (m) => {
            refuseRetired(m, 'assigned');
            if (body.siteId) m.siteId = body.siteId;
            if (body.groupId) m.groupId = body.groupId;
            if (body.profileId) m.profileId = body.profileId;
            m.pinned = body.pinned;
            if (m.state === 'DISCOVERED' && checkTransition(m.state, 'ASSIGNED', m).ok) m.state = 'ASSIGNED';
          },
          { actor, kind: 'assigned', reason: 'assigned by an operator' },
        );
      })
      .finally(() => this.relay.kick());
  }

  /** A lifecycle move; an illegal one is refused with the reason. */
  async transition(
    machineId: string,
    state: string,
    reason: string,
    actor: string,
  ): Promise<ChangeResult | null> {
    return this.run(machineId, actor, 'transition', reason, (m) => {
      const check = checkTransition(m.state, state, m);
      if (!check.ok) throw new MachineRefusedError(check.reason);
      m.state = state;
    });
  }

  async retire(machineId: string, reason: string, actor: string): Promise<ChangeResult | null> {
    return this.run(machineId, actor, 'retired', reason, (m) => {
      const check = checkTransition(m.state, 'RETIRED', m);
      if (!check.ok) throw new MachineRefusedError(check.reason);
      m.state = 'RETIRED';
    });
  }

  private async run(
    machineId: string,
    actor: string,
    kind: string,
    reason: string,
    edit: (m: MachineEntity) => void,
  ): Promise<ChangeResult | null> {
    const result = await this.machines.inTransaction((manager) =>
      this.writer.change(manager, machineId, edit, { actor, kind, reason }),
    );
    if (result && Object.keys(result.changes).length > 0) this.relay.kick();
    return result;
  }
}

function refuseRetired(m: MachineEntity, what: string): void {
  if (m.state === 'RETIRED') throw new MachineRefusedError(`a retired machine is never ${what} again`);
}
