import { execFile } from 'node:child_process';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SQUASHFS_OPTIONS } from '@muster/image-builder';

const run = promisify(execFile);

/**
 * The peer: what an operator types by hand — rootless mmdebstrap into a tarball, then mksquashfs
 * of the unpacked tree inside a user namespace, with the same options Muster uses.
 */
export async function plainBuild(dir: string, packages: string[], user?: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777);
  if (user) {
    const [uid, gid] = await Promise.all(
      ['-u', '-g'].map(async (f) => Number((await run('id', [f, user])).stdout)),
    );
    await chown(dir, uid!, gid!);
  }
  const as = (cmd: string, args: string[]) =>
    user ? run('runuser', ['-u', user, '--', cmd, ...args], opts) : run(cmd, args, opts);
  const opts = {
    maxBuffer: 256 << 20,
    env: { ...process.env, SOURCE_DATE_EPOCH: '1704067200', TMPDIR: dir },
  };
  const tar = join(dir, 'root.tar');
  await as('mmdebstrap', [
    '--mode=unshare',
    '--variant=minbase',
    `--include=${packages.join(',')}`,
    'bookworm',
    tar,
    'http://deb.debian.org/debian',
  ]);
  const out = join(dir, 'root.squashfs');
  await as('unshare', [
    '--map-auto',
    '--map-root-user',
    'sh',
    '-euc',
    'root=$1 tar=$2 out=$3; shift 3; mkdir "$root"; tar -xpf "$tar" -C "$root" --numeric-owner --exclude="./dev/?*"; mksquashfs "$root" "$out" "$@"; rm -rf "$root"',
    'plain',
    join(dir, 'root'),
    tar,
    out,
    ...SQUASHFS_OPTIONS,
  ]);
  return out;
}
