import { Module } from '@nestjs/common';
import { IpxeController } from './ipxe/ipxe.controller.js';
import { BootMachinesHandlers } from './machines/boot-machines.handlers.js';
import { BootMachinesRepository } from './machines/boot-machines.repository.js';

@Module({
  controllers: [IpxeController],
  providers: [BootMachinesRepository, BootMachinesHandlers],
})
export class BootModule {}
