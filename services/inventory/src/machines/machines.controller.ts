import { Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { toJson } from '@bufbuild/protobuf';
import { MachineSchema } from '@muster/contracts';
import { pageLimit, slug } from '@muster/runtime';
import { z } from 'zod';
import { machineToMessage } from './machine-record.js';
import { MachinesRepository } from './machines.repository.js';

const listQuery = z
  .object({
    siteId: slug.optional(),
    state: z
      .string()
      .regex(/^[A-Z_]{1,32}$/)
      .optional(),
    limit: pageLimit,
    after: z.uuid().optional(),
  })
  .strict();

/** Machines in their protobuf JSON form, the same shape other systems get on the bus. */
@Controller('v1/machines')
export class MachinesController {
  constructor(@Inject(MachinesRepository) private readonly machines: MachinesRepository) {}

  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ machines: unknown[]; next?: string }> {
    const rows = await this.machines.list({
      siteId: query.siteId,
      state: query.state,
      limit: query.limit,
      afterId: query.after,
    });
    const machines = rows.map((r) => toJson(MachineSchema, machineToMessage(r)));
    const last = rows.at(-1);
    return rows.length === query.limit && last ? { machines, next: last.machineId } : { machines };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<unknown> {
    const row = await this.machines.findById(id);
    if (!row) throw new NotFoundException(`no machine ${id}`);
    return toJson(MachineSchema, machineToMessage(row));
  }

  @Get(':id/history')
  async history(@Param('id', new ParseUUIDPipe()) id: string): Promise<unknown> {
    return { history: await this.machines.history(id) };
  }
}
