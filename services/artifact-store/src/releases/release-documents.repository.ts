import { Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '@muster/chunks';
import { encodeRelease, signRelease, type SignedRelease } from '@muster/releases';
import type { EntityManager } from 'typeorm';
import { ARTIFACT_SETTINGS, type ArtifactSettings } from '../artifact.config.js';

export interface IssuedDocument {
  body: Buffer;
  sha256: string;
  issuedAt: Date;
  expiresAt: Date;
}

interface ReleaseRow {
  release_id: string;
  image_name: string;
  version: string;
  sequence: number;
  architecture: string;
  state: string;
  rollback_floor: number;
  compatibility: SignedRelease['compatibility'];
  build_id: string;
  recipe_digest: string;
}

/**
 * Signs a release's document from its rows: files, channels, floor and a fresh expiry. Called in
 * the transaction that changes any of them, so the document served always says what the rows say.
 */
@Injectable()
export class ReleaseDocuments {
  constructor(@Inject(ARTIFACT_SETTINGS) private readonly settings: ArtifactSettings) {}

  async issue(tx: EntityManager, releaseId: string, now = new Date()): Promise<IssuedDocument | undefined> {
    const [release] = await tx.query<ReleaseRow[]>(
      `SELECT release_id, image_name, version, sequence, architecture, state, rollback_floor, compatibility,
              build_id, recipe_digest
         FROM release WHERE release_id = $1 FOR UPDATE`,
      [releaseId],
    );
    if (!release) return undefined;
    if (release.state === 'revoked') {
      await tx.query('DELETE FROM release_document WHERE release_id = $1', [releaseId]);
      return undefined;
    }
    const files = await tx.query<
      {
        name: string;
        sha256: string;
        length_bytes: string;
        manifest_sha256: string;
        manifest_length: string;
      }[]
    >(
      `SELECT f.name, f.sha256, f.length_bytes, f.manifest_sha256, m.json_bytes AS manifest_length
         FROM release_file f JOIN manifest m ON m.sha256 = f.manifest_sha256
        WHERE f.release_id = $1 ORDER BY f.name`,
      [releaseId],
    );
    const channels = await tx.query<{ channel: string }[]>(
      'SELECT channel FROM channel WHERE release_id = $1 ORDER BY channel',
      [releaseId],
    );
    const issuedAt = new Date(Math.max(now.getTime(), (await this.lastIssued(tx, releaseId)) + 1));
    const expiresAt = new Date(issuedAt.getTime() + this.settings.documentTtlSeconds * 1000);
    const signed: SignedRelease = {
      format: 'muster.release.v1',
      releaseId,
      image: release.image_name,
      version: release.version,
      sequence: release.sequence,
      architecture: release.architecture,
      channels: channels.map((c) => c.channel),
      issuedAt: issuedAt.toISOString(),
      expiresAt: expiresAt.toISOString(),
      rollbackFloor: release.rollback_floor,
      compatibility: release.compatibility,
      files: Object.fromEntries(
        files.map((f) => [
          f.name,
          {
            length: Number(f.length_bytes),
            sha256: f.sha256,
            manifest: { sha256: f.manifest_sha256, length: Number(f.manifest_length) },
          },
        ]),
      ),
      buildId: release.build_id,
      recipeDigest: release.recipe_digest,
    };
    const body = encodeRelease(signRelease(signed, this.settings.keyRing));
    const sha256 = sha256Hex(body);
    await tx.query(
      `INSERT INTO release_document (release_id, body, sha256, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (release_id) DO UPDATE SET body = $2, sha256 = $3, issued_at = $4, expires_at = $5`,
      [releaseId, body, sha256, issuedAt, expiresAt],
    );
    return { body, sha256, issuedAt, expiresAt };
  }

  /** Each document is issued strictly after the one before: agents refuse an older issuedAt as a rollback. */
  private async lastIssued(tx: EntityManager, releaseId: string): Promise<number> {
    const [row] = await tx.query<{ issued_at: Date }[]>(
      'SELECT issued_at FROM release_document WHERE release_id = $1',
      [releaseId],
    );
    return row ? row.issued_at.getTime() : 0;
  }
}
