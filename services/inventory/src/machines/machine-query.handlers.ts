import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import {
  GetMachineResponseSchema,
  queries,
  type GetMachineRequest,
  type GetMachineResponse,
} from '@muster/contracts';
import { AnswerQuery } from '@muster/messaging';
import { machineToMessage } from './machine-record.js';
import { MachinesRepository } from './machines.repository.js';

@Injectable()
export class MachineQueryHandlers {
  constructor(@Inject(MachinesRepository) private readonly machines: MachinesRepository) {}

  @AnswerQuery(queries.getMachine)
  async getMachine(request: GetMachineRequest): Promise<GetMachineResponse> {
    const row = await this.machines.findById(request.machineId);
    return row
      ? create(GetMachineResponseSchema, { found: true, machine: machineToMessage(row) })
      : create(GetMachineResponseSchema, { found: false });
  }
}
