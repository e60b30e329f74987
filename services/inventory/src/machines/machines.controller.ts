import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { toJson } from '@bufbuild/protobuf';
import { MachineSchema } from '@muster/contracts';
import { nextPage } from '@muster/runtime';
import { machineToMessage } from './machine-record.js';
import {
  historyQuery,
  listQuery,
  machineIdParam,
  type HistoryQuery,
  type ListQuery,
} from './machines-query.schema.js';
import { MachinesRepository, type HistoryEntry } from './machines.repository.js';

/** Machines in their protobuf JSON form, the same shape other systems get on the bus. */
@Controller('v1/machines')
export class MachinesController {
  constructor(@Inject(MachinesRepository) private readonly machines: MachinesRepository) {}

  /** One page of machines by id; `next`, when present, is the `after` of the next page. */
  @Get()
  async list(
    @Query({ schema: listQuery }) query: ListQuery,
  ): Promise<{ machines: unknown[]; next?: string }> {
    const rows = await this.machines.list({
      siteId: query.siteId,
      state: query.state,
      limit: query.limit,
      afterId: query.after,
    });
    const machines = rows.map((r) => toJson(MachineSchema, machineToMessage(r)));
    return { machines, ...nextPage(rows, query.limit, (r) => r.machineId) };
  }

  @Get(':id')
  async get(@Param('id', { schema: machineIdParam }) id: string): Promise<unknown> {
    const row = await this.machines.findById(id);
    if (!row) throw new NotFoundException(`no machine ${id}`);
    return toJson(MachineSchema, machineToMessage(row));
  }

  /** One page of a machine's history, oldest first; 404 for a machine inventory does not know. */
  @Get(':id/history')
  async history(
    @Param('id', { schema: machineIdParam }) id: string,
    @Query({ schema: historyQuery }) query: HistoryQuery,
  ): Promise<{ history: Omit<HistoryEntry, 'id'>[]; next?: string }> {
    if (!(await this.machines.exists(id))) throw new NotFoundException(`no machine ${id}`);
    const rows = await this.machines.history(id, query.limit, query.after);
    const history = rows.map(({ id: _id, ...entry }) => entry);
    return { history, ...nextPage(rows, query.limit, (r) => r.id) };
  }
}
