import { create } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  BuildPhase,
  ImageBuildCompletedSchema,
  ImageBuildFailedSchema,
  ImageBuildProgressSchema,
  OutputKind,
  type ImageBuildCompleted,
  type ImageBuildFailed,
  type ImageBuildProgress,
} from '@muster/contracts';

/** The phase names stored in the build row (`queued`, then the builder's phases). */
export type PhaseName = 'queued' | 'preparing' | 'bootstrapping' | 'customizing' | 'packaging' | 'uploading';

const PHASES: Readonly<Record<PhaseName, BuildPhase>> = {
  queued: BuildPhase.QUEUED,
  preparing: BuildPhase.PREPARING,
  bootstrapping: BuildPhase.BOOTSTRAPPING,
  customizing: BuildPhase.CUSTOMIZING,
  packaging: BuildPhase.PACKAGING,
  uploading: BuildPhase.UPLOADING,
};

/** A stored phase name as the proto's enum (an unknown one is reported as preparing). */
export const phaseOf = (phase: string | null): BuildPhase =>
  PHASES[(phase ?? 'preparing') as PhaseName] ?? BuildPhase.PREPARING;

/** The builder's output kinds as the proto's: a disk image is OUTPUT_KIND_RAW_DISK. */
const KINDS: Readonly<Record<string, OutputKind>> = {
  squashfs: OutputKind.SQUASHFS,
  kernel: OutputKind.KERNEL,
  initrd: OutputKind.INITRD,
  disk: OutputKind.RAW_DISK,
  tarball: OutputKind.TARBALL,
};

export interface StoredOutput {
  kind: string;
  fileName: string;
  objectKey: string;
  sha256: string;
  sizeBytes: number;
}

export function progressEvent(b: {
  buildId: string;
  recipeName: string;
  phase: string;
  percent: number;
  message: string;
  revision: bigint;
}): ImageBuildProgress {
  return create(ImageBuildProgressSchema, {
    buildId: b.buildId,
    recipeName: b.recipeName,
    phase: phaseOf(b.phase),
    percent: Math.max(0, Math.min(100, Math.round(b.percent))),
    message: b.message.slice(0, 2048),
    at: timestampFromDate(new Date()),
    revision: b.revision,
  });
}

export function completedEvent(b: {
  buildId: string;
  recipeName: string;
  recipeDigest: string;
  architecture: string;
  outputs: readonly StoredOutput[];
  startedAt: Date;
  finishedAt: Date;
  revision: bigint;
}): ImageBuildCompleted {
  return create(ImageBuildCompletedSchema, {
    buildId: b.buildId,
    recipeName: b.recipeName,
    recipeDigest: b.recipeDigest,
    outputs: b.outputs.map((o) => ({
      kind: KINDS[o.kind] ?? OutputKind.UNSPECIFIED,
      objectKey: o.objectKey,
      sha256: o.sha256,
      sizeBytes: BigInt(o.sizeBytes),
    })),
    duration: durationFromMs(Math.max(0, b.finishedAt.getTime() - b.startedAt.getTime())),
    completedAt: timestampFromDate(b.finishedAt),
    architecture: b.architecture,
    revision: b.revision,
  });
}

export function failedEvent(b: {
  buildId: string;
  recipeName: string;
  phase: string | null;
  error: string;
  retryable: boolean;
  failedAt: Date;
  revision: bigint;
}): ImageBuildFailed {
  return create(ImageBuildFailedSchema, {
    buildId: b.buildId,
    recipeName: b.recipeName,
    phase: phaseOf(b.phase),
    error: (b.error || 'failed').slice(0, 4096),
    retryable: b.retryable,
    failedAt: timestampFromDate(b.failedAt),
    revision: b.revision,
  });
}
