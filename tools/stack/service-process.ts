import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

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
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitReady(timeoutMs?: number): Promise<void>;
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): Promise<string>;
}

/** Starts `services/<name>/src/main.ts` the way the local stack does, logging to logDir. */
export function startServiceProcess(
  name: string,
  port: number,
  env: Record<string, string>,
  logDir: string,
  options: { ownProcessGroup?: boolean } = {},
): ServiceProcess {
  const logFile = join(logDir, `${name}-${port}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    [
      '--import',
      '@swc-node/register/esm-register',
      '--conditions=@muster/source',
      join(REPO_ROOT, 'services', name, 'src', 'main.ts'),
    ],
    {
      cwd: REPO_ROOT,
      env: serviceEnv({ MUSTER_HTTP_PORT: String(port), ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Out of the terminal's process group, so Ctrl-C reaches the supervisor only, which then
      // stops the services in order.
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
  return {
    name,
    url,
    child,
    logFile,
    exited,
    log,
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
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
