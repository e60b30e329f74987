// The peer: `casync make` of the same file into a chunk store (its defaults: 16/64/256 KiB
// chunks, SHA-512/256, zstd).
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export function casyncMake(
  index: string,
  file: string,
  store: string,
  extra: string[] = [],
): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile('casync', ['make', `--store=${store}`, ...extra, index, file], (err, _out, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT')
        reject(
          new Error(
            'casync is not installed. Fix — run: sudo apt-get install -y --no-install-recommends casync',
          ),
        );
      else if (err) reject(new Error(`casync make: ${err.message}\n${stderr}`));
      else resolve((performance.now() - t0) / 1000);
    });
  });
}

/** Chunk files in a casync store (`<4 hex>/<id>.cacnk`) and their total size. */
export async function storeContents(store: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const dir of await readdir(store).catch(() => [])) {
    if (dir.startsWith('.')) continue;
    for (const name of await readdir(join(store, dir))) {
      if (!name.endsWith('.cacnk')) continue;
      out.set(name, (await stat(join(store, dir, name))).size);
    }
  }
  return out;
}
