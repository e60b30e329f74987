import { describe, expect, it } from 'vitest';
import {
  defaultSlotMiB,
  MIB,
  PARTITION_NAME,
  PARTITION_TYPE,
  planDisk,
  sfdiskScript,
} from './disk-layout.js';

const SEED = '0'.repeat(64);

describe('planDisk', () => {
  const layout = planDisk(SEED, 'amd64', { espMiB: 256, slotMiB: 1024, dataMiB: 256 });

  it('lays out BIOS boot, ESP, root A, root B and data back to back from 1 MiB, with 1 MiB for the backup GPT', () => {
    expect(layout.partitions.map((p) => [p.name, p.startSector / 2048, p.sectors / 2048])).toEqual([
      [PARTITION_NAME.biosBoot, 1, 1],
      [PARTITION_NAME.esp, 2, 256],
      [PARTITION_NAME.rootA, 258, 1024],
      [PARTITION_NAME.rootB, 1282, 1024],
      [PARTITION_NAME.data, 2306, 256],
    ]);
    expect(layout.sizeBytes).toBe((2306 + 256 + 1) * MIB);
  });

  it('gives both slots the root type of the architecture', () => {
    const arm = planDisk(SEED, 'arm64', { espMiB: 256, slotMiB: 1024, dataMiB: 256 });
    expect(layout.partitions.map((p) => p.typeGuid)).toEqual([
      PARTITION_TYPE.biosBoot,
      PARTITION_TYPE.esp,
      PARTITION_TYPE.rootAmd64,
      PARTITION_TYPE.rootAmd64,
      PARTITION_TYPE.linuxData,
    ]);
    expect(arm.partitions[2]!.typeGuid).toBe(PARTITION_TYPE.rootArm64);
    expect(arm.partitions[3]!.typeGuid).toBe(PARTITION_TYPE.rootArm64);
  });

  it('writes one sfdisk line per partition with its start, size, type, UUID and name', () => {
    const script = sfdiskScript(layout);
    expect(script).toContain(`label-id: ${layout.diskGuid}\n`);
    const p = layout.partitions[2]!;
    expect(script).toContain(
      `start=${p.startSector}, size=${p.sectors}, type=${p.typeGuid}, uuid=${p.partuuid}, name="muster-root-a"\n`,
    );
  });
});

describe('defaultSlotMiB', () => {
  it('is 1.5 times the squashfs in steps of 64 MiB, never under 1024 MiB', () => {
    expect(defaultSlotMiB(1)).toBe(1024);
    expect(defaultSlotMiB(682 * MIB)).toBe(1024);
    expect(defaultSlotMiB(700 * MIB)).toBe(1088);
    expect(defaultSlotMiB(2048 * MIB)).toBe(3072);
  });
});
