import { truncate, writeFile } from 'node:fs/promises';
import { MIB } from './disk-layout.js';
import { runTool } from './run-tool.js';

export interface DataFsOptions {
  file: string;
  sizeMiB: number;
  uuid: string;
  hashSeed: string;
  env: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * An empty ext4 file system in its own file. Its UUID and directory hash seed come from the
 * seed and every time it records from E2FSPROGS_FAKE_TIME (set by toolEnv), so the bytes are
 * the same each build; the root directory belongs to root whoever runs the build.
 */
export async function makeDataFs(o: DataFsOptions): Promise<void> {
  await writeFile(o.file, '');
  await truncate(o.file, o.sizeMiB * MIB);
  await runTool(
    'mkfs.ext4',
    [
      '-q',
      '-F',
      '-t',
      'ext4',
      '-b',
      '4096',
      '-L',
      'muster-data',
      '-U',
      o.uuid,
      '-E',
      `hash_seed=${o.hashSeed},root_owner=0:0,nodiscard`,
      o.file,
    ],
    { env: o.env, ...(o.signal ? { signal: o.signal } : {}) },
  );
}
