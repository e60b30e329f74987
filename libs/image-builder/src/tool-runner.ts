import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BuildCancelledError } from './build-image.types.js';

export interface ToolOptions {
  /** Run as this user through runuser (the process must be root). */
  asUser?: string;
  env?: Record<string, string>;
  cwd?: string;
  signal: AbortSignal;
  /** Every line the tool prints, stdout and stderr interleaved. */
  onLine: (line: string) => void;
  /** Bytes to write to the tool's stdin. */
  stdin?: Buffer;
}

/** A tool exited non-zero; `tail` holds its last lines of output. */
export class ToolFailedError extends Error {
  override readonly name = 'ToolFailedError';
  constructor(
    readonly tool: string,
    readonly exitCode: number | null,
    readonly tail: string[],
  ) {
    super(`${tool} failed (exit ${exitCode ?? 'signal'}): ${tail.slice(-5).join(' | ') || 'no output'}`);
  }
}

const TAIL_LINES = 40;

/** The command line that runs `command` as `asUser` (or as is when no user is given). */
export function asUserArgv(command: string, args: string[], asUser?: string): [string, string[]] {
  if (!asUser) return [command, args];
  return ['runuser', ['-u', asUser, '--', command, ...args]];
}

/**
 * Runs a tool in its own process group, streams its output line by line and kills the whole
 * group when the signal aborts (mmdebstrap and its apt, dpkg and tar children included).
 */
export function runTool(command: string, args: string[], options: ToolOptions): Promise<string[]> {
  const [cmd, argv] = asUserArgv(command, args, options.asUser);
  if (options.signal.aborted) return Promise.reject(new BuildCancelledError('the build was cancelled'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C.UTF-8', ...options.env },
      detached: true,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const take = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      options.onLine(line);
    };
    createInterface({ input: child.stdout! }).on('line', take);
    createInterface({ input: child.stderr! }).on('line', take);
    if (options.stdin) child.stdin!.end(options.stdin);
    const kill = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    options.signal.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => {
      options.signal.removeEventListener('abort', kill);
      reject(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new ToolFailedError(command, null, [`${cmd} is not installed (run: npm run setup)`])
          : err,
      );
    });
    child.on('close', (code) => {
      options.signal.removeEventListener('abort', kill);
      if (options.signal.aborted) reject(new BuildCancelledError('the build was cancelled'));
      else if (code === 0) resolve(tail);
      else reject(new ToolFailedError(command, code, tail));
    });
  });
}

/** Single-quotes a value for sh. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
