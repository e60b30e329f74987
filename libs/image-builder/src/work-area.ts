import { execFile } from 'node:child_process';
import { chown, chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeTree } from './user-namespace.js';

const run = promisify(execFile);

/** The directories of one build; the namespace side writes into meta and out. */
export interface WorkArea {
  root: string;
  stage: string;
  meta: string;
  out: string;
  tmp: string;
  repo: string;
}

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const [u, g] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * Creates a build's work area. When the process is root and builds run as `buildUser`, the
 * directories belong to that user; meta and out are writable by the user namespace's root
 * (a sub-uid), which records packages and writes outputs there.
 */
export async function createWorkArea(root: string, buildUser?: string): Promise<WorkArea> {
  const existing = await readdir(root).catch(() => undefined);
  if (existing && existing.length > 0) throw new Error(`the work directory ${root} is not empty`);
  const area: WorkArea = {
    root,
    stage: join(root, 'stage'),
    meta: join(root, 'meta'),
    out: join(root, 'out'),
    tmp: join(root, 'tmp'),
    repo: join(root, 'repo'),
  };
  const ids = buildUser ? await idsOf(buildUser) : undefined;
  for (const dir of [area.root, area.stage, area.meta, area.out, area.tmp, area.repo]) {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    if (ids) await chown(dir, ids.uid, ids.gid);
  }
  await chmod(area.meta, 0o777);
  await chmod(area.out, 0o777);
  return area;
}

/**
 * Removes a work area, files of the namespace's sub-uids included: first from inside a user
 * namespace of the build user (which owns the sub-uids), then directly (which removes what the
 * process itself wrote).
 */
export async function removeWorkArea(root: string, buildUser?: string): Promise<void> {
  await removeTree(root, {
    ...(buildUser ? { asUser: buildUser } : {}),
    signal: new AbortController().signal,
    onLine: () => {},
  }).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}
