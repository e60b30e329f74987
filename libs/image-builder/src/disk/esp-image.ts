import { copyFile, mkdir, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIB } from './disk-layout.js';
import { runTool } from './run-tool.js';

/** One file of the ESP: its FAT path, and either a host file to copy or the text to write. */
export type EspFile = { path: string; from: string } | { path: string; text: string };

export interface EspImageOptions {
  file: string;
  sizeMiB: number;
  /** The partition's first sector, recorded in the FAT boot sector as its hidden sectors. */
  startSector: number;
  volumeId: string;
  files: readonly EspFile[];
  sourceDateEpoch: number;
  workDir: string;
  env: Record<string, string>;
  signal?: AbortSignal;
}

/** Parent directories first, each once, in a fixed order. */
function directoriesOf(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

function parentOf(path: string): string {
  return `::/${path.split('/').slice(0, -1).join('/')}`;
}

/**
 * A FAT32 file system in its own file. Given the volume id and no label, mkfs.vfat writes no
 * time and nothing random (not --invariant: it would replace the volume id with a constant).
 * Each directory and file is then put by its own `mcopy -m`, in sorted order, from a staged copy
 * dated SOURCE_DATE_EPOCH: neither the clock nor the order a host directory lists in shows.
 */
export async function makeEspImage(o: EspImageOptions): Promise<void> {
  const run = (tool: string, args: string[]): Promise<string> =>
    runTool(tool, args, { env: o.env, ...(o.signal ? { signal: o.signal } : {}) });
  await writeFile(o.file, '');
  await truncate(o.file, o.sizeMiB * MIB);
  await run('mkfs.vfat', [
    '-F',
    '32',
    '-S',
    '512',
    '-s',
    '1',
    '-h',
    String(o.startSector),
    '-i',
    o.volumeId,
    o.file,
  ]);

  const stage = join(o.workDir, 'esp');
  const time = new Date(o.sourceDateEpoch * 1000);
  const sorted = [...o.files].sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const [i, dir] of directoriesOf(sorted.map((f) => f.path)).entries()) {
    // An empty directory of the same name: mcopy -s -m makes it with the staged mtime.
    const staged = join(stage, 'dirs', String(i), dir.split('/').at(-1)!);
    await mkdir(staged, { recursive: true });
    await utimes(staged, time, time);
    await run('mcopy', ['-s', '-m', '-Q', '-i', o.file, staged, parentOf(dir)]);
  }
  for (const [i, file] of sorted.entries()) {
    const staged = join(stage, 'files', String(i));
    await mkdir(join(staged, '..'), { recursive: true });
    if ('text' in file) await writeFile(staged, file.text);
    else await copyFile(file.from, staged);
    await utimes(staged, time, time);
    await run('mcopy', ['-m', '-Q', '-i', o.file, staged, `::/${file.path}`]);
  }
}
