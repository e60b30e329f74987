import type { BootMachine } from '../machines/boot-machines.repository.js';

export interface BootEndpoints {
  /** Base URL the PXE client reaches this service on (MUSTER_BOOT_PUBLIC_URL), no trailing slash. */
  publicUrl: string;
}

export const BOOT_ENDPOINTS = Symbol('BOOT_ENDPOINTS');

/** iPXE fills in the MAC of the interface it booted from. */
const SELF = 'mac=${net0/mac}';

function script(lines: readonly string[]): string {
  return ['#!ipxe', ...lines, ''].join('\n');
}

/**
 * The iPXE script for a machine, chosen by what inventory says of it. It names no machine,
 * site or address: whoever asks with a MAC learns only what that machine must do next.
 * Unknown machines go to the discovery environment; assigned ones wait for their install
 * image (delivered by the image pipeline, roadmap item 7).
 */
export function ipxeScriptFor(machine: BootMachine | undefined, e: BootEndpoints): string {
  if (!machine) {
    return script([
      'echo Unknown machine: starting discovery',
      `chain --autofree ${e.publicUrl}/v1/boot/discovery.ipxe || goto retry`,
      ':retry',
      'sleep 30',
      `chain --autofree ${e.publicUrl}/v1/boot/ipxe?${SELF}`,
    ]);
  }
  if (machine.state === 'RETIRED') return script(['echo Retired: booting from local disk', 'exit']);
  if (machine.state === 'DEPLOYED') {
    return script(['echo Deployed: booting from local disk', 'sanboot --no-describe --drive 0x80 || exit']);
  }
  return script([
    'echo Known, waiting for an assignment',
    'sleep 60',
    `chain --autofree ${e.publicUrl}/v1/boot/ipxe?${SELF}`,
  ]);
}

/**
 * The discovery environment. Its kernel and initrd come with the image pipeline (roadmap
 * item 7); until then the machine waits and asks again, so the chain never ends in a 404.
 */
export function discoveryScript(e: BootEndpoints): string {
  return script([
    'echo Discovery environment not available yet: asking again in 60 s',
    'sleep 60',
    `chain --autofree ${e.publicUrl}/v1/boot/ipxe?${SELF}`,
  ]);
}
