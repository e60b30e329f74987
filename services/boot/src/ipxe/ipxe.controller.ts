import { BadRequestException, Controller, Get, Header, Inject, Query, Req } from '@nestjs/common';
import { BootMachinesRepository } from '../machines/boot-machines.repository.js';
import { ipxeScriptFor } from './ipxe-script.js';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

interface HostRequest {
  protocol: string;
  get(name: string): string | undefined;
}

@Controller('v1/boot')
export class IpxeController {
  constructor(@Inject(BootMachinesRepository) private readonly machines: BootMachinesRepository) {}

  @Get('ipxe')
  @Header('content-type', 'text/plain; charset=utf-8')
  async script(@Query('mac') rawMac: string | undefined, @Req() req: HostRequest): Promise<string> {
    const mac = (rawMac ?? '').toLowerCase().replace(/-/g, ':');
    if (!MAC.test(mac)) throw new BadRequestException('mac must be a MAC address such as 52:54:00:12:34:56');
    const machine = await this.machines.findByMac(mac);
    return ipxeScriptFor(machine, mac, { publicUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}` });
  }
}
