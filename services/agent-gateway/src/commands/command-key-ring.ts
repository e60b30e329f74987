import { parseKeyRing, type KeyRing } from '@muster/command-signing';

/** The command-signing key ring from MUSTER_COMMAND_SIGNING_KEYS, or undefined when none is set. */
export const COMMAND_KEY_RING = Symbol('COMMAND_KEY_RING');

export function commandKeyRing(text: string | undefined): KeyRing | undefined {
  return text ? parseKeyRing(text) : undefined;
}
