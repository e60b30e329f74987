import { spawn } from 'node:child_process';
import { MissingToolError, ToolFailedError } from './disk-errors.js';

/** The Debian package of each tool the disk build runs (all installed by scripts/setup.sh). */
const PACKAGE_OF: Readonly<Record<string, string>> = {
  sfdisk: 'fdisk',
  'mkfs.vfat': 'dosfstools',
  mcopy: 'mtools',
  'mkfs.ext4': 'e2fsprogs',
  'grub-mkimage': 'grub-common',
};

const OUTPUT_TAIL = 4000;

/**
 * The environment every tool runs with: nothing from the caller's but PATH (plus the sbin
 * directories, where mkfs and sfdisk live), the C locale and UTC (FAT stores local times), and
 * the build's timestamp for the tools that honour one.
 */
export function toolEnv(sourceDateEpoch: number): Record<string, string> {
  const path = [process.env['PATH'] ?? '', '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return {
    PATH: path.filter(Boolean).join(':'),
    LC_ALL: 'C',
    TZ: 'UTC',
    SOURCE_DATE_EPOCH: String(sourceDateEpoch),
    E2FSPROGS_FAKE_TIME: String(sourceDateEpoch),
    MTOOLS_SKIP_CHECK: '1',
  };
}

export interface RunToolOptions {
  env: Record<string, string>;
  input?: string;
  signal?: AbortSignal;
}

/** Runs `tool` with `args` (no shell), resolves with its stdout, rejects with its output on failure. */
export function runTool(tool: string, args: readonly string[], options: RunToolOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new MissingToolError(tool, PACKAGE_OF[tool] ?? tool));
      else reject(err);
    });
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new ToolFailedError([tool, ...args], code, (stderr || stdout).trim().slice(-OUTPUT_TAIL)));
    });
    // A tool that exits without reading its input is judged by its exit status, not by EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
