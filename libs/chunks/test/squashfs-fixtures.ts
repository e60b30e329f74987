import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Runs a tool; missing, it fails with the command that installs it. */
export function run(name: string, args: string[], debianPackage = name): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(name, args, { maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT')
        reject(
          new Error(
            `${name} is not installed. Fix — run: sudo apt-get install -y --no-install-recommends ${debianPackage}`,
          ),
        );
      else if (err) reject(new Error(`${name} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

/** Deterministic bytes (xorshift32): the same seed gives the same trees on every run. */
export function noise(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = (seed * 2654435761) | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Compressible text: words drawn from a small vocabulary. */
export function text(n: number, seed: number): Buffer {
  const words = ['muster', 'chunk', 'squashfs', 'fleet', 'image', 'delta', 'site', 'cache', 'node', 'block'];
  const r = noise(n, seed);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < n; i++) {
    const w = `${words[r[i % n]! % words.length]!}${r[(i + 1) % n]! % 7 === 0 ? '\n' : ' '}`;
    parts.push(w);
    size += w.length;
  }
  return Buffer.from(parts.join('').slice(0, n));
}

export type TreeFile = { path: string; bytes: Buffer };

/**
 * A small tree with what a root file system holds: text and incompressible files of many sizes,
 * a file of several blocks, an all-zero block (sparse in squashfs), a duplicate, an empty file,
 * hard links (extended inodes), symlinks, a fifo, and a directory big enough for an index.
 */
export function baseTree(): TreeFile[] {
  const files: TreeFile[] = [];
  for (let i = 0; i < 40; i++)
    files.push({ path: `etc/conf-${i}.txt`, bytes: text(200 + ((i * 997) % 9000), i) });
  for (let i = 0; i < 12; i++)
    files.push({ path: `usr/lib/mod-${i}.so`, bytes: noise(3000 + i * 23_000, 100 + i) });
  files.push({ path: 'usr/bin/big', bytes: Buffer.concat([text(300_000, 7), noise(400_000, 8)]) });
  files.push({
    path: 'usr/share/sparse.img',
    bytes: Buffer.concat([text(131072, 9), Buffer.alloc(131072), text(50_000, 10)]),
  });
  files.push({ path: 'usr/share/copy-of-mod-3.so', bytes: noise(3000 + 3 * 23_000, 103) });
  files.push({ path: 'var/empty', bytes: Buffer.alloc(0) });
  for (let i = 0; i < 300; i++)
    files.push({
      path: `usr/share/doc/package-with-a-long-name-number-${String(i).padStart(4, '0')}/copyright`,
      bytes: text(100 + ((i * 31) % 700), 1000 + i),
    });
  return files;
}

/** What v2 adds: a few files in directories spread through the tree. */
export function addedFiles(): TreeFile[] {
  return [
    { path: 'etc/conf-new.txt', bytes: text(3000, 5001) },
    { path: 'etc/sub/extra.conf', bytes: text(700, 5002) },
    { path: 'usr/bin/new-tool', bytes: noise(40_000, 5003) },
    { path: 'usr/lib/mod-5b.so', bytes: noise(9000, 5004) },
    { path: 'usr/share/doc/package-with-a-long-name-number-0150a/copyright', bytes: text(500, 5005) },
    { path: 'usr/share/doc/package-with-a-long-name-number-0222a/copyright', bytes: text(650, 5006) },
    { path: 'var/lib/new/state', bytes: text(12_000, 5007) },
  ];
}

export async function writeTree(root: string, files: TreeFile[]): Promise<void> {
  for (const f of files) {
    await mkdir(dirname(join(root, f.path)), { recursive: true });
    await writeFile(join(root, f.path), f.bytes);
  }
  await link(join(root, 'usr/lib/mod-1.so'), join(root, 'usr/lib/mod-1-hardlink.so'));
  await link(join(root, 'etc/conf-3.txt'), join(root, 'etc/conf-3-hardlink.txt'));
  await symlink('../lib/mod-2.so', join(root, 'usr/bin/mod-2-link'));
  await symlink('conf-1.txt', join(root, 'etc/short-link'));
  await run('mkfifo', [join(root, 'var/fifo')], 'coreutils');
}

/** Device nodes and a socket made by mksquashfs itself (pseudo definitions need no root). */
const PSEUDO = [
  'dev d 755 0 0',
  'dev/null c 666 0 0 1 3',
  'dev/sda b 660 0 6 8 0',
  'dev/log i 666 0 0 s',
  'dev/initctl i 600 0 0 f',
];

export interface ImageOptions {
  compressor: 'zstd' | 'gzip' | 'xz';
  /** none: -no-fragments; small: files under a block share fragment blocks (the default); tails: -tailends too. */
  fragments: 'none' | 'small' | 'tails';
  extra?: string[];
}

export async function makeImage(tree: string, out: string, o: ImageOptions): Promise<void> {
  await run(
    'mksquashfs',
    [
      tree,
      out,
      '-noappend',
      '-no-progress',
      '-quiet',
      '-comp',
      o.compressor,
      ...(o.compressor === 'zstd' ? ['-Xcompression-level', '3'] : []),
      ...({ none: ['-no-fragments'], small: [], tails: ['-tailends'] } as const)[o.fragments],
      '-all-root',
      '-mkfs-time',
      '0',
      '-all-time',
      '0',
      '-processors',
      '1',
      ...PSEUDO.flatMap((p) => ['-p', p]),
      ...(o.extra ?? []),
    ],
    'squashfs-tools',
  );
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
