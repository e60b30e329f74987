import { createHash } from 'node:crypto';

/** What each derived identifier names; part of the derivation, so renaming one changes the image. */
export const ID_ROLE = {
  disk: 'disk',
  biosBoot: 'partition:bios-boot',
  esp: 'partition:esp',
  rootA: 'partition:root-a',
  rootB: 'partition:root-b',
  data: 'partition:data',
  dataFsUuid: 'ext4:uuid',
  dataFsHashSeed: 'ext4:hash-seed',
  espVolumeId: 'fat:volume-id',
} as const;
export type IdRole = (typeof ID_ROLE)[keyof typeof ID_ROLE];

export const SEED_PATTERN = /^[0-9a-f]{64}$/;

function digest(seed: string, role: IdRole): Buffer {
  return createHash('sha256').update(`${seed}:${role}`).digest();
}

/**
 * SHA-256(seed ":" role), first 16 bytes, with the RFC 4122 variant and version-4 bits set:
 * the same seed always gives the same UUID, any other seed a different one.
 */
export function derivedUuid(seed: string, role: IdRole): string {
  const b = digest(seed, role).subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The FAT volume id (8 hex digits, as mkfs.vfat -i takes it): SHA-256(seed ":fat:volume-id"), first 4 bytes. */
export function fatVolumeId(seed: string): string {
  return digest(seed, ID_ROLE.espVolumeId).subarray(0, 4).toString('hex');
}

/** The volume id as GRUB's `search --fs-uuid` and Linux's by-uuid show it: `xxxx-xxxx`. */
export function fatVolumeUuid(volumeId: string): string {
  return `${volumeId.slice(0, 4)}-${volumeId.slice(4)}`;
}
