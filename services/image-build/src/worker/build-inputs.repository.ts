import { Inject, Injectable } from '@nestjs/common';
import type { PackageRecord } from '@muster/image-builder';
import { DataSource } from 'typeorm';

/** What a worker reads to run a build: the recipe's blobs, and the package set it may build from. */
@Injectable()
export class BuildInputsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async blobs(sha256s: readonly string[]): Promise<Map<string, Buffer>> {
    if (sha256s.length === 0) return new Map();
    const rows = await this.ds.query<{ sha256: string; bytes: Buffer }[]>(
      'SELECT sha256, bytes FROM recipe_blob WHERE sha256 = ANY($1::text[])',
      [sha256s],
    );
    return new Map(rows.map((r) => [r.sha256, r.bytes]));
  }

  /** The packages a build that succeeded installed, stanzas included; undefined when it did not succeed. */
  async keptPackages(buildId: string): Promise<PackageRecord[] | undefined> {
    const [build] = await this.ds.query<unknown[]>(
      `SELECT 1 FROM build WHERE build_id = $1 AND state = 'succeeded'`,
      [buildId],
    );
    if (!build) return undefined;
    const rows = await this.ds.query<
      {
        name: string;
        version: string;
        architecture: string;
        source: string;
        source_version: string;
        sha256: string;
        size_bytes: string;
        stanza: string;
      }[]
    >(
      `SELECT name, version, architecture, source, source_version, sha256, size_bytes, stanza
         FROM build_package WHERE build_id = $1 ORDER BY name, architecture`,
      [buildId],
    );
    return rows.map((r) => ({
      name: r.name,
      version: r.version,
      architecture: r.architecture,
      source: r.source,
      sourceVersion: r.source_version,
      sha256: r.sha256,
      sizeBytes: Number(r.size_bytes),
      stanza: r.stanza,
    }));
  }
}
