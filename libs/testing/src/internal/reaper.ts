import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/**
 * The client side of the watchdog: one detached `node reaper.main.ts <our pid>` per process,
 * told over a pipe which server process groups and temporary directories we own. If this
 * process dies in any way (even SIGKILL), the pipe closes and the watchdog stops the servers
 * and removes the directories. Normal teardown untracks them first.
 */
export class Reaper {
  readonly pid: number;
  private readonly input: Writable;

  private constructor(pid: number, input: Writable) {
    this.pid = pid;
    this.input = input;
  }

  static async spawn(timeoutMs = 10_000): Promise<Reaper> {
    const script = fileURLToPath(
      new URL(`./reaper.main.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
    );
    const env = { ...process.env };
    delete env['NODE_OPTIONS'];
    const child = spawn(process.execPath, [script, String(process.pid)], {
      detached: true,
      cwd: '/',
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no "ready" within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`the test-server watchdog (${script}) did not start: ${err.message}\n${stderr}`));
      };
      child.once('error', fail);
      child.once('exit', (code, signal) => fail(new Error(`exited (${code ?? signal}) before it was ready`)));
      child.stdout.setEncoding('utf8').once('data', (d: string) => {
        if (!d.startsWith('ready')) return fail(new Error(`unexpected output: ${d}`));
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        resolve();
      });
    });
    child.stdout.destroy();
    child.stderr.destroy();
    child.on('error', () => undefined);
    child.unref();
    // The pipe must not keep this process alive; its closing is the watchdog's signal.
    (child.stdin as Socket).unref();
    child.stdin.on('error', () => undefined);
    if (child.pid === undefined) throw new Error('the test-server watchdog has no pid');
    return new Reaper(child.pid, child.stdin);
  }

  trackProcessGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
    this.send({ op: 'pid', pid, signal });
  }

  untrackProcessGroup(pid: number): void {
    this.send({ op: 'unpid', pid });
  }

  trackDir(path: string): void {
    this.send({ op: 'dir', path });
  }

  untrackDir(path: string): void {
    this.send({ op: 'undir', path });
  }

  private send(message: object): void {
    if (!this.input.destroyed) this.input.write(`${JSON.stringify(message)}\n`);
  }
}

let shared: Promise<Reaper> | undefined;

/** This process's watchdog, started on first use. */
export function getReaper(): Promise<Reaper> {
  shared ??= Reaper.spawn().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}
