import { mkdtemp, open, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { buildCoreImg, patchMbr, placeCoreImg } from './bios-boot.js';
import {
  efiLoaderPath,
  emptyGrubEnv,
  ESP_PATH,
  grubCfg,
  grubEmbeddedCfg,
  loaderConf,
  loaderEntryA,
  slotOptions,
} from './boot-config.js';
import { makeDataFs } from './data-fs.js';
import { checkDiskInput, type DiskImageInput } from './disk-input.js';
import {
  type DiskLayout,
  PARTITION_NAME,
  partitionNamed,
  planDisk,
  SECTOR_BYTES,
  sfdiskScript,
} from './disk-layout.js';
import { type EspFile, makeEspImage } from './esp-image.js';
import { runTool, toolEnv } from './run-tool.js';
import { derivedUuid, fatVolumeId, fatVolumeUuid, ID_ROLE } from './seed-ids.js';
import { copyInto, writeFully } from './write-at.js';

/**
 * A raw GPT disk for A/B updates, made without root (no loop device, no mount): each file
 * system is made in its own file, then copied into a sparse image at its partition's offset.
 * The same input gives the same bytes. See docs/images/disk-layout.md.
 */
export async function buildDiskImage(raw: DiskImageInput, signal?: AbortSignal): Promise<DiskLayout> {
  const input = await checkDiskInput(raw);
  const layout = planDisk(input.seed, input.architecture, input.sizes);
  const esp = partitionNamed(layout, PARTITION_NAME.esp);
  const rootA = partitionNamed(layout, PARTITION_NAME.rootA);
  const data = partitionNamed(layout, PARTITION_NAME.data);
  const bios = partitionNamed(layout, PARTITION_NAME.biosBoot);
  const env = toolEnv(input.sourceDateEpoch);
  const opt = signal ? { signal } : {};
  const volumeId = fatVolumeId(input.seed);
  const options = slotOptions(rootA.partuuid, input.cmdline);

  const work = await mkdtemp(join(dirname(input.out), `.${basename(input.out)}.work-`));
  const partial = join(work, 'disk.img');
  try {
    const files: EspFile[] = [
      { path: efiLoaderPath(input.architecture), from: input.efiLoader },
      { path: ESP_PATH.loaderConf, text: loaderConf() },
      { path: ESP_PATH.entryA, text: loaderEntryA(options) },
      { path: ESP_PATH.kernelA, from: input.kernel },
      { path: ESP_PATH.initrdA, from: input.initrd },
    ];
    let core: Buffer | undefined;
    if (input.grubI386PcDir !== undefined) {
      files.push({ path: ESP_PATH.grubCfg, text: grubCfg(options) });
      files.push({ path: ESP_PATH.grubEnv, text: emptyGrubEnv() });
      core = placeCoreImg(
        await buildCoreImg({
          grubI386PcDir: input.grubI386PcDir,
          embeddedCfg: grubEmbeddedCfg(fatVolumeUuid(volumeId)),
          workDir: work,
          env,
          ...opt,
        }),
        bios.startSector,
      );
      if (core.length > bios.sectors * SECTOR_BYTES) {
        throw new Error(`GRUB core.img (${core.length} bytes) does not fit the 1 MiB BIOS boot partition`);
      }
    }
    const espFile = join(work, 'esp.img');
    await makeEspImage({
      file: espFile,
      sizeMiB: input.sizes.espMiB,
      startSector: esp.startSector,
      volumeId,
      files,
      sourceDateEpoch: input.sourceDateEpoch,
      workDir: work,
      env,
      ...opt,
    });
    const dataFile = join(work, 'data.img');
    await makeDataFs({
      file: dataFile,
      sizeMiB: input.sizes.dataMiB,
      uuid: derivedUuid(input.seed, ID_ROLE.dataFsUuid),
      hashSeed: derivedUuid(input.seed, ID_ROLE.dataFsHashSeed),
      env,
      ...opt,
    });

    await writeFile(partial, '');
    await truncate(partial, layout.sizeBytes);
    await runTool('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', partial], {
      env,
      input: sfdiskScript(layout),
      ...opt,
    });
    const out = await open(partial, 'r+');
    try {
      await copyInto(out, espFile, esp.startSector * SECTOR_BYTES, signal);
      await copyInto(out, dataFile, data.startSector * SECTOR_BYTES, signal);
      await copyInto(out, input.squashfs, rootA.startSector * SECTOR_BYTES, signal);
      if (core && input.grubI386PcDir !== undefined) {
        await writeFully(out, core, bios.startSector * SECTOR_BYTES);
        const mbr = Buffer.alloc(SECTOR_BYTES);
        await out.read(mbr, 0, SECTOR_BYTES, 0);
        const bootImg = await readFile(join(input.grubI386PcDir, 'boot.img'));
        await writeFully(out, patchMbr(mbr, bootImg, bios.startSector), 0);
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(partial, input.out);
    return layout;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
