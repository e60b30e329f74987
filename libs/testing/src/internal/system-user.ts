import { chmod, chown, lstat, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** A local account from /etc/passwd (the Debian postgresql package creates `postgres`). */
export async function lookupUser(name: string, passwdFile = '/etc/passwd'): Promise<SystemUser | undefined> {
  const text = await readFile(passwdFile, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** chown -R, without following symlinks. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  const info = await lstat(path);
  await chown(path, uid, gid);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

/**
 * Lets another user reach `path`: adds search permission (o+x, never read) to each ancestor
 * that lacks it — mkdtemp makes 0700 directories, which the postgres user cannot traverse.
 */
export async function allowTraversal(path: string): Promise<void> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) await chmod(dir, (info.mode & 0o7777) | 0o001);
    if (dirname(dir) === dir) return;
  }
}
