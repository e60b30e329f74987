import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InvalidInputError } from '@muster/runtime';
import { updatedRows } from '@muster/persistence';
import { DataSource } from 'typeorm';
import { ARTIFACT_SETTINGS, type ArtifactSettings } from '../artifact.config.js';
import { ReleaseDocuments } from './release-documents.repository.js';

/**
 * Promotion, revocation and the re-signing of documents before they expire. Every change
 * re-issues the documents it touches in the same transaction.
 */
@Injectable()
export class ReleaseLifecycle {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(ReleaseDocuments) private readonly documents: ReleaseDocuments,
    @Inject(ARTIFACT_SETTINGS) private readonly settings: ArtifactSettings,
  ) {}

  /** Points `channel` of the release's image and architecture at it; optionally raises the rollback floor. */
  async promote(
    releaseId: string,
    channel: string,
    rollbackFloor?: number,
  ): Promise<{ previous: string | null }> {
    return this.ds.transaction(async (tx) => {
      const [release] = await tx.query<
        { state: string; image_name: string; architecture: string; sequence: number }[]
      >('SELECT state, image_name, architecture, sequence FROM release WHERE release_id = $1 FOR UPDATE', [
        releaseId,
      ]);
      if (!release) throw new NotFoundException(`no release ${releaseId}`);
      if (release.state !== 'published')
        throw new ConflictException(`release ${releaseId} is ${release.state}`);
      if (rollbackFloor !== undefined && rollbackFloor > release.sequence)
        throw InvalidInputError.of(
          'rollbackFloor',
          'body',
          `must not be above the release's own sequence ${release.sequence}: machines could not install it`,
        );
      const [previous] = await tx.query<{ release_id: string }[]>(
        `SELECT release_id FROM channel WHERE channel = $1 AND image_name = $2 AND architecture = $3 FOR UPDATE`,
        [channel, release.image_name, release.architecture],
      );
      await tx.query(
        `INSERT INTO channel (channel, image_name, architecture, release_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (channel, image_name, architecture) DO UPDATE SET release_id = $4, updated_at = now()`,
        [channel, release.image_name, release.architecture, releaseId],
      );
      const touched = new Set([releaseId]);
      if (previous) touched.add(previous.release_id);
      if (rollbackFloor !== undefined) {
        const raised = updatedRows<{ release_id: string }>(
          await tx.query(
            `UPDATE release SET rollback_floor = $3
              WHERE image_name = $1 AND architecture = $2 AND rollback_floor < $3 AND sequence >= $3
                AND state = 'published'
              RETURNING release_id`,
            [release.image_name, release.architecture, rollbackFloor],
          ),
        );
        for (const r of raised) touched.add(r.release_id);
      }
      for (const id of touched) await this.documents.issue(tx, id);
      return { previous: previous && previous.release_id !== releaseId ? previous.release_id : null };
    });
  }

  /**
   * Withdraws a release: it leaves every channel and its document is no longer served, so no
   * machine installs it from now on (machines already running it keep it pinned against GC).
   */
  async revoke(releaseId: string, reason: string): Promise<{ channels: string[] }> {
    return this.ds.transaction(async (tx) => {
      const [release] = await tx.query<{ state: string }[]>(
        'SELECT state FROM release WHERE release_id = $1 FOR UPDATE',
        [releaseId],
      );
      if (!release) throw new NotFoundException(`no release ${releaseId}`);
      if (release.state === 'revoked') return { channels: [] };
      await tx.query(
        `UPDATE release SET state = 'revoked', revoked_at = now(), revoked_reason = $2 WHERE release_id = $1`,
        [releaseId, reason],
      );
      const left = updatedRows<{ channel: string }>(
        await tx.query('DELETE FROM channel WHERE release_id = $1 RETURNING channel', [releaseId]),
      );
      await this.documents.issue(tx, releaseId);
      return { channels: left.map((c) => c.channel) };
    });
  }

  /** Re-signs every document with less than half its lifetime left; returns how many. */
  async refresh(now = new Date()): Promise<number> {
    const due = await this.ds.query<{ release_id: string }[]>(
      `SELECT d.release_id FROM release_document d JOIN release r USING (release_id)
        WHERE r.state = 'published' AND d.expires_at < $1::timestamptz + make_interval(secs => $2)`,
      [now, this.settings.documentTtlSeconds / 2],
    );
    for (const { release_id } of due)
      await this.ds.transaction((tx) => this.documents.issue(tx, release_id, now));
    return due.length;
  }
}
