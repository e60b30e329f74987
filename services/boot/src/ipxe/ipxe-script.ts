import type { BootMachine } from '../machines/boot-machines.repository.js';

export interface BootEndpoints {
  /** Base URL the PXE client reaches this service on, e.g. `http://10.0.0.5:8085`. */
  publicUrl: string;
}

/**
 * The iPXE script for a machine, chosen by what inventory says of it. Unknown and
 * not-yet-assigned machines boot the discovery environment again later; an assigned
 * machine waits for its install image (delivered by the image pipeline, roadmap item 7).
 */
export function ipxeScriptFor(machine: BootMachine | undefined, mac: string, e: BootEndpoints): string {
  const header = ['#!ipxe', `# muster boot for ${mac}`];
  if (!machine) {
    return [
      ...header,
      'echo Unknown machine: starting discovery',
      `chain ${e.publicUrl}/v1/boot/discovery.ipxe?mac=\${net0/mac} || goto retry`,
      ':retry',
      'sleep 30',
      `chain ${e.publicUrl}/v1/boot/ipxe?mac=\${net0/mac}`,
      '',
    ].join('\n');
  }
  if (machine.state === 'RETIRED') {
    return [
      ...header,
      `echo Machine ${machine.machineId} is retired: booting from local disk`,
      'exit',
      '',
    ].join('\n');
  }
  if (machine.state === 'DEPLOYED') {
    return [
      ...header,
      `echo Machine ${machine.machineId} is deployed: booting from local disk`,
      'sanboot --no-describe --drive 0x80 || exit',
      '',
    ].join('\n');
  }
  return [
    ...header,
    `echo Machine ${machine.machineId} (${machine.state}) at site ${machine.siteId}: waiting for an assignment`,
    'sleep 60',
    `chain ${e.publicUrl}/v1/boot/ipxe?mac=\${net0/mac}`,
    '',
  ].join('\n');
}
