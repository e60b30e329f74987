import type { BundledRecipe } from '@muster/recipes';

/** The phases of a build, in order (the proto's BuildPhase without QUEUED). */
export type BuildPhaseName = 'preparing' | 'bootstrapping' | 'customizing' | 'packaging' | 'uploading';

export type OutputKindName = 'squashfs' | 'kernel' | 'initrd' | 'disk' | 'tarball';

/** One .deb a build installed, as the archive described it (its Packages stanza). */
export interface PackageRecord {
  name: string;
  version: string;
  architecture: string;
  /** Source package name and version (for the SBOM). */
  source: string;
  sourceVersion: string;
  sha256: string;
  sizeBytes: number;
  /** The archive's Packages stanza for this exact .deb, verbatim (priority and section included). */
  stanza: string;
}

/** A package installed in the finished image (dpkg's view), for the SBOM. */
export interface InstalledPackage {
  name: string;
  version: string;
  architecture: string;
  source: string;
  sourceVersion: string;
}

export type PackageSource =
  | { kind: 'mirror' }
  /** Rebuild from a kept package set: no mirror is contacted. */
  | {
      kind: 'kept';
      /** The build whose package set is used (recorded in the provenance). */
      fromBuild: string;
      packages: PackageRecord[];
      /** Writes the .deb with this SHA-256 to `dest` (the service fetches it from S3). */
      fetchDeb: (record: PackageRecord, dest: string) => Promise<void>;
    };

export interface BuildImageInput {
  buildId: string;
  recipe: BundledRecipe;
  /** The bytes of a blob the recipe names by SHA-256 (files, overlays, scripts). */
  blob: (sha256: string) => Buffer;
  recipeDigest: string;
  /**
   * Created (must not exist or be empty); removed by the builder when the build fails or is
   * cancelled, by the caller (`removeWorkArea`) once it has stored the outputs of a success.
   */
  workDir: string;
  /** Survives builds: the base-layer cache and downloaded .debs. */
  cacheDir: string;
  packageSource: PackageSource;
  /** 'refresh' rebuilds a cached base layer. */
  cache?: 'use' | 'refresh';
  /** Every timestamp in every output. */
  sourceDateEpoch: number;
  /** An HTTP proxy for apt (an apt-cacher-ng near the workers, say); none by default. */
  aptProxy?: string;
  /** Run the tools as this user (required when the process runs as root). */
  buildUser?: string;
  signal: AbortSignal;
  onLog: (line: string) => void;
  onPhase: (phase: BuildPhaseName, percent: number, message: string) => void;
}

export interface BuiltOutput {
  kind: OutputKindName;
  /** File name to store it under, e.g. "root.squashfs". */
  fileName: string;
  path: string;
  sha256: string;
  sizeBytes: number;
}

export interface BuildImageResult {
  outputs: BuiltOutput[];
  /** Every .deb the build installed, with its local path (to keep in S3). */
  debs: { record: PackageRecord; path: string }[];
  installed: InstalledPackage[];
  /** CycloneDX 1.5 JSON document, deterministic for the same inputs. */
  sbom: Record<string, unknown>;
  provenance: Provenance;
}

export interface Provenance {
  format: 'muster.provenance.v1';
  buildId: string;
  recipe: { name: string; version: string; digest: string; layers: { name: string; version: string }[] };
  architecture: string;
  suite: string;
  mirror: string;
  packageSet: { source: 'mirror' | 'kept'; fromBuild?: string; digest: string; count: number };
  baseLayer: { key: string; cache: 'hit' | 'miss' } | null;
  kernelCmdline: string;
  sourceDateEpoch: number;
  builder: { name: '@muster/image-builder'; version: string };
  tools: Record<string, string>;
  outputs: { kind: OutputKindName; fileName: string; sha256: string; sizeBytes: number }[];
  sbomSha256: string;
}

/** A build that stopped; `retryable` when running it again may succeed (a mirror failed). */
export class BuildFailedError extends Error {
  override readonly name = 'BuildFailedError';
  constructor(
    readonly phase: BuildPhaseName,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The build was cancelled through its signal; nothing is left behind. */
export class BuildCancelledError extends Error {
  override readonly name = 'BuildCancelledError';
}
