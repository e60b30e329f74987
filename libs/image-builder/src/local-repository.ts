import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageRecord } from './build-image.types.js';
import { debFileName, packagesIndex } from './package-records.js';

/**
 * A flat apt repository of a kept package set, for a build that must not contact a mirror:
 * every .deb fetched and checked against its recorded SHA-256, the archive's own stanzas as the
 * index, and a Release naming the suite (mmdebstrap picks the essential set by it). Returns the
 * mmdebstrap mirror argument.
 */
export async function writeLocalRepository(
  dir: string,
  packages: readonly PackageRecord[],
  fetchDeb: (record: PackageRecord, dest: string) => Promise<void>,
  suite: string,
  architecture: string,
): Promise<string> {
  for (const record of packages) {
    const dest = join(dir, debFileName(record));
    await fetchDeb(record, dest);
    const got = createHash('sha256')
      .update(await readFile(dest))
      .digest('hex');
    if (got !== record.sha256) {
      throw new Error(
        `kept package ${record.name} ${record.version}: SHA-256 ${got}, expected ${record.sha256}`,
      );
    }
  }
  const index = packagesIndex(packages);
  await writeFile(join(dir, 'Packages'), index);
  const sha = createHash('sha256').update(index).digest('hex');
  await writeFile(
    join(dir, 'Release'),
    [
      `Suite: ${suite}`,
      `Codename: ${suite}`,
      `Architectures: ${architecture} all`,
      'Components: main',
      'SHA256:',
      ` ${sha} ${Buffer.byteLength(index)} Packages`,
      '',
    ].join('\n'),
  );
  return `deb [trusted=yes] copy://${dir} ./`;
}
