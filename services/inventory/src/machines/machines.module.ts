import { Module } from '@nestjs/common';
import { MachineEventsHandlers } from './machine-events.handlers.js';
import { MachineQueryHandlers } from './machine-query.handlers.js';
import { MachinesController } from './machines.controller.js';
import { MachinesRepository } from './machines.repository.js';

@Module({
  controllers: [MachinesController],
  providers: [MachinesRepository, MachineEventsHandlers, MachineQueryHandlers],
})
export class MachinesModule {}
