import { createHash, randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { durationFromMs, timestampNow } from '@bufbuild/protobuf/wkt';
import { ImageBuildCompletedSchema, type ImageBuildCompleted, type OutputKind } from '@muster/contracts';

export interface BuildOutputFile {
  name: string;
  kind: OutputKind;
  bytes: Buffer;
}

export interface CompletedBuild {
  buildId: string;
  /** What image-build would have put in the bucket before announcing the build. */
  uploads: { objectKey: string; bytes: Buffer }[];
  event: ImageBuildCompleted;
}

/**
 * A build's outputs and its `image.build.completed`, as image-build makes them (objects at
 * `builds/<buildId>/<name>`), for tests and benches that feed artifact-store without building.
 * `sha256` replaces every output's reported hash (a build that lies about its outputs).
 */
export function completedBuild(
  image: string,
  outputs: readonly BuildOutputFile[],
  options: { buildId?: string; sha256?: string } = {},
): CompletedBuild {
  const buildId = options.buildId ?? randomUUID();
  const uploads = outputs.map((o) => ({ objectKey: `builds/${buildId}/${o.name}`, bytes: o.bytes }));
  const event = create(ImageBuildCompletedSchema, {
    buildId,
    recipeName: image,
    recipeDigest: createHash('sha256').update(image).digest('hex'),
    outputs: outputs.map((o, i) => ({
      kind: o.kind,
      objectKey: uploads[i]!.objectKey,
      sha256: options.sha256 ?? createHash('sha256').update(o.bytes).digest('hex'),
      sizeBytes: BigInt(o.bytes.length),
    })),
    duration: durationFromMs(1000),
    completedAt: timestampNow(),
    architecture: 'amd64',
    revision: 1n,
  });
  return { buildId, uploads, event };
}
