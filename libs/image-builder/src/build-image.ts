import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundledRecipe } from '@muster/recipes';
import {
  BuildCancelledError,
  BuildFailedError,
  type BuildImageInput,
  type BuildImageResult,
  type BuildPhaseName,
  type BuiltOutput,
  type PackageRecord,
  type Provenance,
} from './build-image.types.js';
import { layerOnTop, wholeRecipe, type Customization } from './customization.js';
import { customizeScript, type FinishingTouches } from './customize-script.js';
import { classifyFailure } from './failure.js';
import { LayerCache, layerKey } from './layer-cache.js';
import { writeLocalRepository } from './local-repository.js';
import { buildOutputs } from './outputs.js';
import { debFileName, installedFromDpkgQuery, packageRecordsFromStanzas } from './package-records.js';
import { cycloneDxSbom } from './sbom.js';
import { runTool } from './tool-runner.js';
import { toolVersions } from './tool-versions.js';
import { createWorkArea, removeWorkArea, type WorkArea } from './work-area.js';

export const BUILDER_VERSION = '0.1.0';

/** The packages a boot output needs beside the recipe's own. */
function bootPackages(r: BundledRecipe): string[] {
  const wantsKernel = r.outputs.includes('netboot') || r.outputs.includes('disk');
  if (!wantsKernel) return [];
  return [r.kernel.package, 'initramfs-tools', ...(r.outputs.includes('disk') ? ['systemd-boot-efi'] : [])];
}

const INITRD_SQUASHFS =
  'mkdir -p "$1/usr/share/initramfs-tools/modules.d" && echo squashfs > "$1/usr/share/initramfs-tools/modules.d/muster-squashfs"';

/** The disk layout's mounts, by partition label (docs/images/disk-layout.md). */
const DISK_FSTAB = [
  '# Muster disk layout: the root is a read-only squashfs slot chosen by the boot entry.',
  'PARTLABEL=muster-data /var/lib/muster ext4 defaults,nofail 0 2',
  'PARTLABEL=muster-esp /boot/efi vfat umask=0077,nofail 0 2',
  '',
].join('\n');

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function union(a: PackageRecord[], b: PackageRecord[]): PackageRecord[] {
  const all = new Map<string, PackageRecord>();
  for (const r of [...a, ...b]) all.set(`${r.name}:${r.architecture}=${r.version}`, r);
  return [...all.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/** Where each kept .deb is on this worker: the last step's downloads, or the cached base's. */
async function keptDebs(packages: PackageRecord[], dirs: string[]): Promise<BuildImageResult['debs']> {
  const out: BuildImageResult['debs'] = [];
  for (const record of packages) {
    let found: string | undefined;
    for (const dir of dirs) {
      const path = join(dir, debFileName(record));
      if (
        await access(path).then(
          () => true,
          () => false,
        )
      ) {
        found = path;
        break;
      }
    }
    if (!found)
      throw new BuildFailedError(
        'packaging',
        `the .deb of ${record.name} ${record.version} was not kept`,
        false,
      );
    out.push({ record, path: found });
  }
  return out;
}

/** SHA-256 over a package set's identities and hashes, sorted. */
export function packageSetDigest(records: readonly PackageRecord[]): string {
  const lines = records.map((r) => `${r.name}:${r.architecture}=${r.version} ${r.sha256}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * Builds an image from a bundled recipe, rootless: mmdebstrap in unshare mode makes the root
 * filesystem (a cached base layer first when the recipe extends one), then the outputs are made
 * from its tarball inside a user namespace. On failure or cancellation the work directory is
 * removed; on success the caller uploads the outputs and removes it (`removeWorkArea`).
 */
export async function buildImage(input: BuildImageInput): Promise<BuildImageResult> {
  const { recipe, signal } = input;
  const started = Date.now();
  let phase: BuildPhaseName = 'preparing';
  const kept = input.packageSource.kind === 'kept' ? input.packageSource : undefined;
  const enter = (p: BuildPhaseName, percent: number, message: string) => {
    phase = p;
    input.onPhase(p, percent, message);
    input.onLog(`== ${p}: ${message}`);
  };
  let area: WorkArea | undefined;
  try {
    enter('preparing', 2, 'preparing the work area');
    area = await createWorkArea(input.workDir, input.buildUser);
    const env = { SOURCE_DATE_EPOCH: String(input.sourceDateEpoch), TMPDIR: area.tmp };
    const mirror = kept
      ? await writeLocalRepository(area.repo, kept.packages, kept.fetchDeb, recipe.suite, recipe.architecture)
      : recipe.mirror;
    if (kept)
      input.onLog(
        `package set: ${kept.packages.length} packages kept by build ${kept.fromBuild}; no mirror is contacted`,
      );

    const step = async (
      name: string,
      o: {
        variant: string;
        include: string[];
        baseTar?: string;
        customization: Customization;
        finish?: FinishingTouches;
        skipDev: boolean;
        bootHere: boolean;
      },
    ): Promise<{ tar: string; records: PackageRecord[]; installed: string }> => {
      const metaDir = join(area!.meta, name);
      await mkdir(metaDir, { mode: 0o777 });
      await chmod(metaDir, 0o777);
      const staged = customizeScript(
        o.customization,
        area!.stage,
        input.blob,
        metaDir,
        o.finish,
        input.sourceDateEpoch,
      );
      await mkdir(join(area!.stage, 'blobs'), { recursive: true, mode: 0o755 });
      for (const [sha, bytes] of staged.blobs)
        await writeFile(join(area!.stage, 'blobs', sha), bytes, { mode: 0o644 });
      const scriptPath = join(area!.stage, `${name}.sh`);
      await writeFile(scriptPath, staged.script, { mode: 0o644 });
      const tar = join(area!.root, `${name}.tar`);
      const args = [
        '--mode=unshare',
        `--variant=${o.variant}`,
        `--architectures=${recipe.architecture}`,
        `--components=${recipe.components.join(',')}`,
        '--skip=essential/unlink',
        ...(input.aptProxy ? [`--aptopt=Acquire::http::Proxy "${input.aptProxy}"`] : []),
        ...(o.include.length > 0 ? [`--include=${o.include.join(',')}`] : []),
        ...(o.baseTar ? [`--setup-hook=tar-in ${o.baseTar} /`] : []),
        // Before a kernel is installed: its initrd must mount a squashfs root (the disk's slots).
        ...(o.bootHere ? [`--${o.baseTar ? 'setup' : 'essential'}-hook=${INITRD_SQUASHFS}`] : []),
        ...(o.skipDev ? ['--skip=output/dev'] : []),
        `--customize-hook=sh ${scriptPath} "$1"`,
        '--format=tar',
        recipe.suite,
        tar,
        mirror,
      ];
      input.onLog(`$ mmdebstrap ${args.join(' ')}`);
      await runTool('mmdebstrap', args, {
        ...(input.buildUser ? { asUser: input.buildUser } : {}),
        env,
        signal,
        onLine: input.onLog,
      });
      const downloaded = (await readFile(join(metaDir, 'debs.list'), 'utf8')).split('\n').filter(Boolean);
      // A pinned build's records are the kept ones (apt may show dpkg's status entry instead).
      const known = kept
        ? kept.packages
        : packageRecordsFromStanzas(await readFile(join(metaDir, 'stanzas'), 'utf8'));
      const ids = (r: PackageRecord) => [
        `${r.name}:${r.architecture}=${r.version}`,
        `${r.name}=${r.version}`,
      ];
      const wanted = new Set(downloaded);
      const records = known.filter((r) => ids(r).some((id) => wanted.has(id)));
      const recorded = new Set(records.flatMap(ids));
      const unrecorded = downloaded.filter((d) => !recorded.has(d));
      if (unrecorded.length > 0) {
        throw new BuildFailedError(phase, `the archive has no record of ${unrecorded.join(', ')}`, false);
      }
      return { tar, records, installed: await readFile(join(metaDir, 'installed.tsv'), 'utf8') };
    };

    const finish: FinishingTouches = {
      sourcesList: `deb ${recipe.mirror} ${recipe.suite} ${recipe.components.join(' ')}\n`,
      ...(recipe.outputs.includes('disk') ? { fstab: DISK_FSTAB } : {}),
    };
    const boot = bootPackages(recipe);
    let baseLayer: Provenance['baseLayer'] = null;
    let baseRecords: PackageRecord[] = [];
    const debDirs: string[] = [];
    let final: { tar: string; records: PackageRecord[]; installed: string };
    if (recipe.base) {
      const base = recipe.base;
      const bootInBase = base.kernel.package === recipe.kernel.package ? boot : [];
      const key = layerKey({
        builder: BUILDER_VERSION,
        base,
        bootInBase,
        packages: kept ? packageSetDigest(kept.packages) : 'mirror',
      });
      const cache = new LayerCache(join(input.cacheDir, 'layers'));
      let cached = input.cache === 'refresh' ? undefined : await cache.get(key);
      baseLayer = { key, cache: cached ? 'hit' : 'miss' };
      if (cached) {
        input.onLog(`base layer ${base.name} ${base.version}: cached (${key.slice(0, 12)})`);
      } else {
        enter('bootstrapping', 10, `building the base layer ${base.name} ${base.version}`);
        const built = await step('base', {
          variant: base.variant,
          include: [...base.packages.install, ...bootInBase],
          customization: wholeRecipe(base),
          skipDev: true,
          bootHere: bootInBase.length > 0,
        });
        cached = await cache.put(key, built.tar, built.records, join(area.meta, 'base', 'debs'));
      }
      debDirs.push(cached.debs);
      baseRecords = cached.packages;
      enter('customizing', 40, `adding the layers of ${recipe.name} to the base`);
      final = await step('layer', {
        variant: 'custom',
        include: [...layerOnTop(recipe, base).install, ...(bootInBase.length > 0 ? [] : boot)],
        baseTar: cached.tarball,
        customization: layerOnTop(recipe, base),
        finish,
        skipDev: false,
        bootHere: bootInBase.length === 0 && boot.length > 0,
      });
    } else {
      enter('bootstrapping', 10, `bootstrapping ${recipe.suite} ${recipe.architecture} (${recipe.variant})`);
      final = await step('root', {
        variant: recipe.variant,
        include: [...recipe.packages.install, ...boot],
        customization: wholeRecipe(recipe),
        finish,
        skipDev: false,
        bootHere: boot.length > 0,
      });
    }
    debDirs.push(join(area.meta, recipe.base ? 'layer' : 'root', 'debs'));
    const packages = union(baseRecords, final.records);
    const installed = installedFromDpkgQuery(final.installed);

    enter('packaging', 70, `making ${recipe.outputs.join(', ')}`);
    const made = await buildOutputs({
      recipe,
      rootTar: final.tar,
      area,
      sourceDateEpoch: input.sourceDateEpoch,
      ...(input.buildUser ? { buildUser: input.buildUser } : {}),
      signal,
      onLog: input.onLog,
    });
    const outputs: BuiltOutput[] = [];
    for (const o of made) {
      outputs.push({ ...o, sha256: await sha256Of(o.path), sizeBytes: (await stat(o.path)).size });
      input.onLog(`output ${o.fileName}: ${outputs.at(-1)!.sha256}`);
    }
    const debs = await keptDebs(packages, debDirs);
    const sbom = cycloneDxSbom({
      imageName: recipe.name,
      imageVersion: recipe.version,
      suite: recipe.suite,
      recipeDigest: input.recipeDigest,
      sourceDateEpoch: input.sourceDateEpoch,
      builderVersion: BUILDER_VERSION,
      installed,
      kept: packages,
    });
    const sbomSha256 = createHash('sha256').update(JSON.stringify(sbom)).digest('hex');
    const provenance: Provenance = {
      format: 'muster.provenance.v1',
      buildId: input.buildId,
      recipe: {
        name: recipe.name,
        version: recipe.version,
        digest: input.recipeDigest,
        layers: recipe.layers,
      },
      architecture: recipe.architecture,
      suite: recipe.suite,
      mirror: recipe.mirror,
      packageSet: {
        source: kept ? 'kept' : 'mirror',
        ...(kept ? { fromBuild: kept.fromBuild } : {}),
        digest: packageSetDigest(packages),
        count: packages.length,
      },
      baseLayer,
      kernelCmdline: recipe.kernel.cmdline,
      sourceDateEpoch: input.sourceDateEpoch,
      builder: { name: '@muster/image-builder', version: BUILDER_VERSION },
      tools: await toolVersions(),
      outputs: outputs.map(({ kind, fileName, sha256, sizeBytes }) => ({
        kind,
        fileName,
        sha256,
        sizeBytes,
      })),
      sbomSha256,
    };
    input.onLog(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { outputs, debs, installed, sbom, provenance };
  } catch (err) {
    const failure = classifyFailure(err, phase, kept?.fromBuild);
    input.onLog(failure instanceof BuildCancelledError ? 'cancelled' : `failed: ${failure.message}`);
    await removeWorkArea(input.workDir, input.buildUser);
    throw failure;
  }
}
