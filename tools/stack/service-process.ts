import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { groupMembers, stopGroup } from './process-group.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** The environment a service gets: the machine's, minus any MUSTER_* setting, plus `env`. */
export function serviceEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MUSTER_')));
  return { ...base, SWC_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'), ...env };
}

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** The process group the service leads, when it was started in its own (ownProcessGroup). */
  readonly pgid: number | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitReady(timeoutMs?: number): Promise<void>;
  /**
   * Sends `signal`, and SIGKILL after `timeoutMs` to what is left. With its own process group,
   * both go to the whole group and this resolves only once no process of the group is alive
   * (or the SIGKILL did not help: see `remaining()`); otherwise to the service's process alone.
   */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): Promise<string>;
  /** The live processes of its group (none when it has no group of its own). */
  remaining(): Promise<number[]>;
}

/**
 * Starts `services/<name>/src/main.ts` the way the local stack does (or `options.entry`, a
 * stand-in in tests), logging to logDir.
 */
export function startServiceProcess(
  name: string,
  port: number,
  env: Record<string, string>,
  logDir: string,
  options: { ownProcessGroup?: boolean; entry?: string } = {},
): ServiceProcess {
  const logFile = join(logDir, `${name}-${port}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    [
      '--import',
      '@swc-node/register/esm-register',
      '--conditions=@muster/source',
      options.entry ?? join(REPO_ROOT, 'services', name, 'src', 'main.ts'),
    ],
    {
      cwd: REPO_ROOT,
      env: serviceEnv({ MUSTER_HTTP_PORT: String(port), ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, out of the terminal's: Ctrl-C reaches the supervisor only, which
      // then stops each service with everything the service started (the whole group).
      detached: options.ownProcessGroup ?? false,
    },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const log = () => readFile(logFile, 'utf8').catch(() => '');
  const pgid = options.ownProcessGroup ? child.pid : undefined;
  return {
    name,
    url,
    child,
    logFile,
    pgid,
    exited,
    log,
    remaining: async () => (pgid === undefined ? [] : groupMembers(pgid)),
    async waitReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exited.then(() => (done = true));
      while (Date.now() < deadline && !done) {
        const ok = await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `${name} ${done ? 'exited before it was ready' : `not ready on ${url} after ${timeoutMs} ms`}:\n${(await log()).slice(-3000)}`,
      );
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (pgid !== undefined) {
        // The service may be gone while a process it started lives on in its group.
        await stopGroup(pgid, { signal, graceMs: timeoutMs });
        return exited;
      }
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
