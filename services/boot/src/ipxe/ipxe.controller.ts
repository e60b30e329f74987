import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { OwnAuthentication } from '@muster/runtime';
import { BootMachinesRepository } from '../machines/boot-machines.repository.js';
import { BOOT_ENDPOINTS, discoveryScript, ipxeScriptFor, type BootEndpoints } from './ipxe-script.js';

const scriptQuery = z
  .object({
    mac: z
      .string()
      .transform((text) => text.toLowerCase().replace(/-/g, ':'))
      .pipe(
        z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'must be a MAC address such as 52:54:00:12:34:56'),
      ),
  })
  .strict();

/**
 * iPXE scripts. Every URL in them comes from MUSTER_BOOT_PUBLIC_URL, none from the request.
 * Firmware cannot send a token: the scripts hold nothing secret.
 */
@Controller('v1/boot')
@OwnAuthentication('none: network-booting firmware fetches these scripts; they hold no secret')
export class IpxeController {
  constructor(
    @Inject(BootMachinesRepository) private readonly machines: BootMachinesRepository,
    @Inject(BOOT_ENDPOINTS) private readonly endpoints: BootEndpoints,
  ) {}

  @Get('ipxe')
  @Header('content-type', 'text/plain; charset=utf-8')
  async script(@Query({ schema: scriptQuery }) query: z.infer<typeof scriptQuery>): Promise<string> {
    return ipxeScriptFor(await this.machines.findByMac(query.mac), this.endpoints);
  }

  @Get('discovery.ipxe')
  @Header('content-type', 'text/plain; charset=utf-8')
  discovery(@Query({ schema: z.object({}).strict() }) _query: object): string {
    return discoveryScript(this.endpoints);
  }
}
