import { Module, type DynamicModule } from '@nestjs/common';
import { IpxeController } from './ipxe/ipxe.controller.js';
import { BOOT_ENDPOINTS, type BootEndpoints } from './ipxe/ipxe-script.js';
import { BootMachinesHandlers } from './machines/boot-machines.handlers.js';
import { BootMachinesRepository } from './machines/boot-machines.repository.js';

@Module({})
export class BootModule {
  static forRoot(endpoints: BootEndpoints): DynamicModule {
    return {
      module: BootModule,
      controllers: [IpxeController],
      providers: [
        { provide: BOOT_ENDPOINTS, useValue: endpoints },
        BootMachinesRepository,
        BootMachinesHandlers,
      ],
    };
  }
}
