import { slug } from '@muster/runtime';
import { z } from 'zod';

/**
 * What the discovery environment posts at boot. Hardware facts use the protobuf JSON form of
 * `muster.hardware.v1.HardwareFacts`, so the schema's own rules validate them.
 */
export const discoveryReportSchema = z
  .object({
    smbiosUuid: z.string().max(64).optional(),
    serial: z.string().max(128).optional(),
    macs: z.array(z.string().max(32)).min(1).max(64),
    bootMac: z.string().max(32).optional(),
    /** Claimed by the client; never decides the site (the server does, from its networks). */
    siteId: slug.optional(),
    /** The DHCP relay (giaddr) the boot environment saw; used only via a trusted relay. */
    relayAddress: z.union([z.ipv4(), z.ipv6()]).optional(),
    hardware: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type DiscoveryReport = z.infer<typeof discoveryReportSchema>;
