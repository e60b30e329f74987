import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { MissingBinaryError } from '../errors.js';

/** The Debian package that ships each binary the harness runs (all in scripts/setup.sh). */
export const DEBIAN_PACKAGE_OF: Readonly<Record<string, string>> = {
  'nats-server': 'nats-server',
  'redis-server': 'redis-server',
  postgres: 'postgresql',
  initdb: 'postgresql',
  pg_isready: 'postgresql',
  psql: 'postgresql',
  'ceph-mon': 'ceph-mon',
  'ceph-osd': 'ceph-osd',
  radosgw: 'radosgw',
  'radosgw-admin': 'radosgw',
  monmaptool: 'ceph-mon',
  'ceph-authtool': 'ceph-mon',
  ceph: 'ceph-mon',
};

// Debian puts nats-server in /usr/sbin, which is not on a normal user's PATH.
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Directories searched for `name`, in order: extra dirs, PATH, then the usual system dirs. */
export function searchDirs(extraDirs: readonly string[] = [], pathEnv = process.env['PATH'] ?? ''): string[] {
  const dirs = [...extraDirs, ...pathEnv.split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  return [...new Set(dirs)];
}

export function findBinary(name: string, extraDirs: readonly string[] = []): string | undefined {
  for (const dir of searchDirs(extraDirs)) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The absolute path of `name`, or a MissingBinaryError that says how to install it. */
export function requireBinary(name: string, extraDirs: readonly string[] = []): string {
  const found = findBinary(name, extraDirs);
  if (found) return found;
  const searched = extraDirs.length > 0 ? [...extraDirs, 'PATH', '/usr/sbin'] : ['PATH', '/usr/sbin'];
  throw new MissingBinaryError(name, DEBIAN_PACKAGE_OF[name] ?? name, searched);
}

/**
 * PostgreSQL's server binaries are not on PATH on Debian. Prefer version 15 (what the project
 * pins), else the newest installed major.
 */
export function postgresBinDir(root = '/usr/lib/postgresql'): string {
  const preferred = join(root, '15', 'bin');
  if (isExecutable(join(preferred, 'postgres'))) return preferred;
  let versions: string[] = [];
  try {
    versions = readdirSync(root).filter((v) => /^\d+$/.test(v));
  } catch {
    versions = [];
  }
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = join(root, v, 'bin');
    if (isExecutable(join(dir, 'postgres'))) return dir;
  }
  return preferred;
}
