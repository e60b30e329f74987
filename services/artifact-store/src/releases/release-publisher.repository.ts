import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Inject, Injectable } from '@nestjs/common';
import { contracts, ImagePublishedSchema } from '@muster/contracts';
import { Outbox, OutboxRelay } from '@muster/persistence';
import { DataSource } from 'typeorm';
import { ReleaseDocuments } from './release-documents.repository.js';

export interface PublishedFile {
  name: string;
  kind: string;
  sha256: string;
  length: number;
  manifestSha256: string;
  newStoredBytes: number;
  reusedBytes: number;
  chunkIds: readonly string[];
}

export interface PublishRequest {
  buildId: string;
  image: string;
  architecture: string;
  recipeDigest: string;
  files: readonly PublishedFile[];
}

/** Boot paths a release's files allow: a disk image boots by UEFI or BIOS, kernel + initrd + root by network. */
export function bootKinds(kinds: readonly string[]): string[] {
  const boot: string[] = [];
  if (kinds.includes('disk')) boot.push('uefi', 'bios');
  if (kinds.includes('kernel') && kinds.includes('initrd') && kinds.includes('squashfs'))
    boot.push('network');
  return boot.length > 0 ? boot : ['none'];
}

/**
 * Makes a build's ingested files a release: the next sequence of its image and architecture,
 * the rows, the signed document and `image.published`, in one transaction. A build is published
 * once: a redelivered event finds its release and publishes nothing new.
 */
@Injectable()
export class ReleasePublisher {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(ReleaseDocuments) private readonly documents: ReleaseDocuments,
  ) {}

  async publish(request: PublishRequest): Promise<{ releaseId: string; sequence: number; created: boolean }> {
    const result = await this.ds.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `${request.image}/${request.architecture}`,
      ]);
      const [existing] = await tx.query<{ release_id: string; sequence: number }[]>(
        'SELECT release_id, sequence FROM release WHERE build_id = $1',
        [request.buildId],
      );
      if (existing) return { releaseId: existing.release_id, sequence: existing.sequence, created: false };
      const [last] = await tx.query<{ sequence: number | null; floor: number | null }[]>(
        `SELECT max(sequence) AS sequence, max(rollback_floor) AS floor
           FROM release WHERE image_name = $1 AND architecture = $2`,
        [request.image, request.architecture],
      );
      const sequence = (last?.sequence ?? 0) + 1;
      const releaseId = randomUUID();
      const totalSize = request.files.reduce((sum, f) => sum + f.length, 0);
      const newStored = request.files.reduce((sum, f) => sum + f.newStoredBytes, 0);
      const reused = request.files.reduce((sum, f) => sum + f.reusedBytes, 0);
      const compatibility = {
        architectures: [request.architecture],
        boot: bootKinds(request.files.map((f) => f.kind)),
        models: [],
      };
      await tx.query(
        `INSERT INTO release (release_id, image_name, version, sequence, architecture, state, rollback_floor,
                              compatibility, build_id, recipe_digest, total_size_bytes, new_stored_bytes, reused_bytes)
         VALUES ($1, $2, $3, $4, $5, 'published', $6, $7, $8, $9, $10, $11, $12)`,
        [
          releaseId,
          request.image,
          String(sequence),
          sequence,
          request.architecture,
          last?.floor ?? 0,
          JSON.stringify(compatibility),
          request.buildId,
          request.recipeDigest,
          totalSize,
          newStored,
          reused,
        ],
      );
      for (const f of request.files) {
        await tx.query(
          `INSERT INTO release_file (release_id, name, kind, manifest_sha256, sha256, length_bytes)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [releaseId, f.name, f.kind, f.manifestSha256, f.sha256, f.length],
        );
      }
      const document = await this.documents.issue(tx, releaseId);
      await tx.query(
        `UPDATE ingest SET state = 'published', release_id = $2, finished_at = now(), error = NULL WHERE build_id = $1`,
        [request.buildId, releaseId],
      );
      const chunkCount = new Set(request.files.flatMap((f) => f.chunkIds)).size;
      await this.outbox.add(
        tx,
        contracts.imagePublished,
        { releaseId },
        create(ImagePublishedSchema, {
          releaseId,
          imageName: request.image,
          version: String(sequence),
          architecture: request.architecture,
          documentSha256: document!.sha256,
          totalSizeBytes: BigInt(totalSize),
          chunkCount: BigInt(Math.max(1, chunkCount)),
          publishedAt: timestampFromDate(document!.issuedAt),
          buildId: request.buildId,
          sequence,
          newStoredBytes: BigInt(newStored),
          reusedBytes: BigInt(reused),
        }),
        { about: releaseId },
      );
      return { releaseId, sequence, created: true };
    });
    if (result.created) this.relay.kick();
    return result;
  }
}
