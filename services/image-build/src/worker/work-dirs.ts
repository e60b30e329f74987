import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { removeWorkArea } from '@muster/image-builder';

const BUILD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The work directory of one build under the instance's work root. */
export const workDirOf = (root: string, buildId: string): string => join(root, buildId);

/** Creates the work root, searchable by the build user (the builder makes its directories in it). */
export async function ensureWorkRoot(root: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o755 });
}

/**
 * Removes a build's work directory, files of the build user's sub-uids included (from inside a
 * user namespace: `runuser -u <user> -- unshare --map-auto --map-root-user rm -rf` as root,
 * `unshare --map-auto --map-root-user rm -rf` otherwise; then what this process wrote).
 */
export function removeWorkDir(dir: string, buildUser: string | undefined): Promise<void> {
  return removeWorkArea(dir, buildUser);
}

/**
 * Removes the work directories a previous run of this instance left (it was killed mid-build):
 * every entry of the work root named like a build id. Call before taking jobs: the work root
 * belongs to one instance.
 */
export async function removeLeftoverWorkDirs(root: string, buildUser: string | undefined): Promise<string[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  const leftovers = entries.filter((name) => BUILD_ID.test(name));
  for (const name of leftovers) await removeWorkDir(join(root, name), buildUser);
  return leftovers;
}
