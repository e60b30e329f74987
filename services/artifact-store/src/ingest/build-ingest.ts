import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChunkStore, isSafeName } from '@muster/chunks';
import { OutputKind, type ImageBuildCompleted } from '@muster/contracts';
import { PermanentFailureError } from '@muster/messaging';
import { ObjectNotFoundError } from '@muster/object-store';
import { ARTIFACT_SETTINGS, type ArtifactSettings } from '../artifact.config.js';
import { ChunkCatalogRepository } from '../chunks/chunk-catalog.repository.js';
import { ReleasePublisher, type PublishedFile } from '../releases/release-publisher.repository.js';
import { ArtifactBucket } from '../storage/artifact-bucket.provider.js';
import { ingestFile } from './file-ingest.js';
import { IngestRepository } from './ingest.repository.js';

const KINDS: Readonly<Partial<Record<OutputKind, string>>> = {
  [OutputKind.SQUASHFS]: 'squashfs',
  [OutputKind.KERNEL]: 'kernel',
  [OutputKind.INITRD]: 'initrd',
  [OutputKind.RAW_DISK]: 'disk',
  [OutputKind.TARBALL]: 'tarball',
};

/**
 * A completed build becomes a release: each output is read from the bucket into a work file
 * (hashed on the way and checked against the event), chunked, its new chunks stored, and the
 * release published. Running it again for the same build publishes nothing new.
 */
@Injectable()
export class BuildIngest {
  private readonly log = new Logger(BuildIngest.name);

  constructor(
    @Inject(IngestRepository) private readonly ingests: IngestRepository,
    @Inject(ArtifactBucket) private readonly bucket: ArtifactBucket,
    @Inject(ChunkCatalogRepository) private readonly catalog: ChunkCatalogRepository,
    @Inject(ReleasePublisher) private readonly publisher: ReleasePublisher,
    @Inject(ARTIFACT_SETTINGS) private readonly settings: ArtifactSettings,
  ) {}

  async ingest(event: ImageBuildCompleted): Promise<{ releaseId: string; created: boolean }> {
    const done = await this.ingests.publishedRelease(event.buildId);
    if (done) return { releaseId: done, created: false };
    await this.ingests.start(event.buildId);
    const dir = join(this.settings.workDir, event.buildId);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    try {
      const files: PublishedFile[] = [];
      for (const output of event.outputs) files.push(await this.ingestOutput(dir, output));
      const published = await this.publisher.publish({
        buildId: event.buildId,
        image: event.recipeName,
        architecture: event.architecture,
        recipeDigest: event.recipeDigest,
        files,
      });
      this.log.log(
        `build ${event.buildId} published as release ${published.releaseId} (${event.recipeName} ${published.sequence})`,
      );
      return published;
    } catch (error) {
      if (error instanceof PermanentFailureError) await this.ingests.fail(event.buildId, error.message);
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async ingestOutput(
    dir: string,
    output: ImageBuildCompleted['outputs'][number],
  ): Promise<PublishedFile> {
    const name = basename(output.objectKey);
    const kind = KINDS[output.kind];
    if (!isSafeName(name) || !kind)
      throw new PermanentFailureError(
        `output ${JSON.stringify(output.objectKey)} has no usable file name or kind`,
      );
    const path = join(dir, name);
    const hash = createHash('sha256');
    let size = 0;
    try {
      const body = await this.bucket.store.get(this.bucket.name, output.objectKey);
      await pipeline(
        body,
        new Transform({
          transform(piece: Buffer, _encoding, done) {
            hash.update(piece);
            size += piece.length;
            done(null, piece);
          },
        }),
        createWriteStream(path),
      );
    } catch (error) {
      if (error instanceof ObjectNotFoundError)
        throw new PermanentFailureError(`output ${output.objectKey} is not in the bucket`);
      throw error;
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== output.sha256 || BigInt(size) !== output.sizeBytes)
      throw new PermanentFailureError(
        `output ${output.objectKey} is ${size} bytes hashing to ${sha256}, not the ${output.sizeBytes} bytes and ${output.sha256} the build reported`,
      );
    const result = await ingestFile(path, {
      catalog: this.catalog,
      chunks: new ChunkStore(this.bucket.store, this.bucket.name),
      objects: this.bucket.store,
      bucket: this.bucket.name,
      uploadConcurrency: this.settings.uploadConcurrency,
    });
    await rm(path, { force: true });
    return {
      name,
      kind,
      sha256,
      length: size,
      manifestSha256: result.manifestSha256,
      newStoredBytes: result.newStoredBytes,
      reusedBytes: result.reusedBytes,
      chunkIds: result.manifest.chunks.map((c) => c.sha256),
    };
  }
}
