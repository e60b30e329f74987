import { derivedUuid, ID_ROLE, type IdRole } from './seed-ids.js';

export const SECTOR_BYTES = 512;
export const MIB = 1024 * 1024;
const SECTORS_PER_MIB = MIB / SECTOR_BYTES;

/** GPT partition type GUIDs (UEFI spec; the Discoverable Partitions Specification for root). */
export const PARTITION_TYPE = {
  biosBoot: '21686148-6449-6e6f-744e-656564454649',
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  rootAmd64: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
  rootArm64: 'b921b045-1df0-41c3-af44-4c6f280d3fae',
  linuxData: '0fc63daf-8483-4772-8e79-3d69d8477de4',
} as const;

/** PARTLABELs: the image's fstab and the agent find partitions by these names. */
export const PARTITION_NAME = {
  biosBoot: 'muster-bios',
  esp: 'muster-esp',
  rootA: 'muster-root-a',
  rootB: 'muster-root-b',
  data: 'muster-data',
} as const;

export interface DiskPartition {
  name: string;
  partuuid: string;
  startSector: number;
  sectors: number;
  typeGuid: string;
}

export interface DiskLayout {
  diskGuid: string;
  partitions: DiskPartition[];
  sizeBytes: number;
}

export interface PartitionSizesMiB {
  espMiB: number;
  slotMiB: number;
  dataMiB: number;
}

export const DEFAULT_ESP_MIB = 256;
export const DEFAULT_DATA_MIB = 256;
const MIN_SLOT_MIB = 1024;
const SLOT_STEP_MIB = 64;

/** Room for 1.5 times the root filesystem, in steps of 64 MiB, never under 1 GiB. */
export function defaultSlotMiB(squashfsBytes: number): number {
  const wanted = Math.ceil((squashfsBytes * 1.5) / (SLOT_STEP_MIB * MIB)) * SLOT_STEP_MIB;
  return Math.max(MIN_SLOT_MIB, wanted);
}

/**
 * Partitions in a fixed order, each starting on a MiB boundary: 1 MiB before the first (the
 * protective MBR, the primary GPT) and 1 MiB after the last (the backup GPT).
 */
export function planDisk(
  seed: string,
  architecture: 'amd64' | 'arm64',
  sizes: PartitionSizesMiB,
): DiskLayout {
  const rootType = architecture === 'amd64' ? PARTITION_TYPE.rootAmd64 : PARTITION_TYPE.rootArm64;
  const parts: [name: string, role: IdRole, mib: number, type: string][] = [
    [PARTITION_NAME.biosBoot, ID_ROLE.biosBoot, 1, PARTITION_TYPE.biosBoot],
    [PARTITION_NAME.esp, ID_ROLE.esp, sizes.espMiB, PARTITION_TYPE.esp],
    [PARTITION_NAME.rootA, ID_ROLE.rootA, sizes.slotMiB, rootType],
    [PARTITION_NAME.rootB, ID_ROLE.rootB, sizes.slotMiB, rootType],
    [PARTITION_NAME.data, ID_ROLE.data, sizes.dataMiB, PARTITION_TYPE.linuxData],
  ];
  let nextMiB = 1;
  const partitions = parts.map(([name, role, mib, typeGuid]) => {
    const partition = {
      name,
      partuuid: derivedUuid(seed, role),
      startSector: nextMiB * SECTORS_PER_MIB,
      sectors: mib * SECTORS_PER_MIB,
      typeGuid,
    };
    nextMiB += mib;
    return partition;
  });
  return { diskGuid: derivedUuid(seed, ID_ROLE.disk), partitions, sizeBytes: (nextMiB + 1) * MIB };
}

export function partitionNamed(layout: DiskLayout, name: string): DiskPartition {
  const found = layout.partitions.find((p) => p.name === name);
  if (!found) throw new Error(`no partition named ${name} in the layout`);
  return found;
}

/** The sfdisk script that writes `layout`'s GPT (and its protective MBR). */
export function sfdiskScript(layout: DiskLayout): string {
  const lines = ['label: gpt', `label-id: ${layout.diskGuid}`, 'unit: sectors', 'sector-size: 512', ''];
  for (const p of layout.partitions) {
    lines.push(
      `start=${p.startSector}, size=${p.sectors}, type=${p.typeGuid}, uuid=${p.partuuid}, name="${p.name}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}
