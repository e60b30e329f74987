import { Module } from '@nestjs/common';
import { MachineListing } from '../listing/machine-listing.repository.js';
import { RuleAssigner } from '../rules/rule-assigner.js';
import { MachineEventsHandlers } from './machine-events.handlers.js';
import { MachineOperations } from './machine-operations.js';
import { MachineQueryHandlers } from './machine-query.handlers.js';
import { MachineWriter } from './machine-writer.js';
import { MachinesController } from './machines.controller.js';
import { MachinesRepository } from './machines.repository.js';

@Module({
  controllers: [MachinesController],
  providers: [
    MachinesRepository,
    MachineWriter,
    RuleAssigner,
    MachineListing,
    MachineOperations,
    MachineEventsHandlers,
    MachineQueryHandlers,
  ],
  exports: [MachinesRepository, MachineWriter],
})
export class MachinesModule {}
