// The files of a squashfs image, without extracting it: `sqfs2tar` (squashfs-tools-ng, any
// user) streams the tree as a tar archive, read here entry by entry.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, zstdCompressSync } from 'node:zlib';

export interface TreeFile {
  sha256: string;
  size: number;
  /** The file compressed alone with zstd level 3. */
  zstd3: number;
}

async function tarOf(image: string): Promise<Buffer> {
  const child = spawn('sqfs2tar', ['--no-xattr', '--no-hard-links', image], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new Error(
              'sqfs2tar is not installed. Fix — run: sudo apt-get install -y --no-install-recommends squashfs-tools-ng',
            )
          : e,
      ),
    );
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`sqfs2tar ${image}: exit ${code}\n${err}`);
  return Buffer.concat(out);
}

const field = (b: Buffer, at: number, n: number) => b.toString('latin1', at, at + n).replace(/\0.*$/s, '');

function octal(b: Buffer, at: number, n: number): number {
  if (b[at]! & 0x80) return Number(b.readBigUInt64BE(at + n - 8)); // base-256
  return parseInt(field(b, at, n).trim() || '0', 8);
}

/** Every regular file of the image by path: its SHA-256, size and zstd-3 size. */
export async function listTree(image: string): Promise<Map<string, TreeFile>> {
  const tar = await tarOf(image);
  const files = new Map<string, TreeFile>();
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length;) {
    if (tar.subarray(at, at + 512).every((x) => x === 0)) break;
    const size = octal(tar, at + 124, 12);
    const type = String.fromCharCode(tar[at + 156]!);
    const body = tar.subarray(at + 512, at + 512 + size);
    let name =
      longName ?? `${field(tar, at + 345, 155)}${field(tar, at + 345, 155) ? '/' : ''}${field(tar, at, 100)}`;
    longName = undefined;
    if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (path) longName = path[1];
    } else if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
    } else if (type === '0' || type === '\0') {
      name = name.replace(/^\.?\//, '');
      files.set(name, {
        sha256: createHash('sha256').update(body).digest('hex'),
        size,
        zstd3: zstdCompressSync(body, { params: { [constants.ZSTD_c_compressionLevel]: 3 } }).length,
      });
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** The physical limit: zstd-3 bytes of the files of `next` that are new or changed since `base`. */
export function newOrChanged(base: Map<string, TreeFile>, next: Map<string, TreeFile>) {
  let files = 0;
  let bytes = 0;
  let raw = 0;
  for (const [path, f] of next) {
    if (base.get(path)?.sha256 === f.sha256) continue;
    files++;
    bytes += f.zstd3;
    raw += f.size;
  }
  return { files, bytes, raw };
}
