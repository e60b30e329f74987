// A machine's side of an update, as an agent does it: the signed release document (verified),
// the file's manifest (as a patch against the one it holds, when it holds one; verified against
// the document), then syncFile from the sources in order, with the current slot as seed.
import { DeliveryClient, manifestId, parseManifest, type Manifest } from '@muster/chunks';
import { syncFile, type SyncReport, type SyncSource, type SyncWarning } from '@muster/chunk-sync';
import { verifyManifest, verifyRelease, type SignedRelease } from '@muster/releases';
import type { TrustedKey } from '@muster/command-signing';

/** What a machine holds of a file: the slot it is in, its manifest and the release it came from. */
export interface HeldFile {
  path: string;
  manifest: Manifest;
  manifestBytes: Buffer;
  release: SignedRelease;
}

export interface MachineSync {
  held: HeldFile;
  report: SyncReport;
}

/** Syncs `name` of `releaseId` into `target`; the first source also serves document and manifest. */
export async function syncRelease(options: {
  releaseId: string;
  name: string;
  target: string;
  sources: SyncSource[];
  trusted: TrustedKey[];
  current?: HeldFile;
  onWarning?: (warning: SyncWarning) => void;
  parallelism?: number;
  batchBytes?: number;
}): Promise<MachineSync> {
  const { current } = options;
  const client = new DeliveryClient(options.sources[0]!.url);
  const signed = verifyRelease(await client.releaseDocument(options.releaseId), {
    trusted: options.trusted,
    now: new Date(),
    expect: { releaseId: options.releaseId },
    ...(current
      ? { held: { sequence: current.release.sequence, floor: current.release.rollbackFloor } }
      : {}),
  });
  const file = signed.files[options.name];
  if (!file) throw new Error(`release ${options.releaseId} has no file ${options.name}`);
  const base = current && { sha256: manifestId(current.manifestBytes), bytes: current.manifestBytes };
  const manifestBytes = verifyManifest(
    signed,
    options.name,
    await client.manifest(file.manifest.sha256, base),
  );
  const manifest = parseManifest(manifestBytes);
  const report = await syncFile({
    manifest,
    target: options.target,
    seeds: current ? [{ path: current.path, manifest: current.manifest }] : [],
    sources: options.sources,
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.parallelism ? { parallelism: options.parallelism } : {}),
    ...(options.batchBytes ? { batchBytes: options.batchBytes } : {}),
  });
  return { held: { path: options.target, manifest, manifestBytes, release: signed }, report };
}
