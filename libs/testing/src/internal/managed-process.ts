import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { getReaper } from './reaper.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ServerProcessOptions {
  /** Short name used in errors, e.g. "nats-server". */
  name: string;
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (needs root), e.g. PostgreSQL, which refuses to run as root. */
  uid?: number;
  gid?: number;
  /** The signal for a graceful stop (PostgreSQL's fast shutdown is SIGINT). */
  stopSignal?: NodeJS.Signals;
}

/** A server running in the foreground as its own process group, watched by the reaper. */
export class ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  private readonly stopSignal: NodeJS.Signals;
  private exit: ExitInfo | undefined;

  private constructor(
    name: string,
    pid: number,
    logFile: string,
    stopSignal: NodeJS.Signals,
    exited: Promise<ExitInfo>,
  ) {
    this.name = name;
    this.pid = pid;
    this.logFile = logFile;
    this.stopSignal = stopSignal;
    this.exited = exited.then((info) => (this.exit = info));
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const reaper = await getReaper();
    const log = openSync(options.logFile, 'a');
    try {
      const child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        uid: options.uid,
        gid: options.gid,
        detached: true,
        stdio: ['ignore', log, log],
      });
      const exited = new Promise<ExitInfo>((resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      if (child.pid === undefined) {
        const info = await exited;
        throw new Error(
          `could not start ${options.name} (${options.command}): ${info.error?.message ?? 'no pid'}`,
        );
      }
      const stopSignal = options.stopSignal ?? 'SIGTERM';
      reaper.trackProcessGroup(child.pid, stopSignal);
      const pid = child.pid;
      child.unref();
      return new ServerProcess(
        options.name,
        pid,
        options.logFile,
        stopSignal,
        exited.then((info) => {
          reaper.untrackProcessGroup(pid);
          return info;
        }),
      );
    } finally {
      closeSync(log);
    }
  }

  /** How it exited, or undefined while it runs. */
  get exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  /** Graceful stop: the stop signal to the group, then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<ExitInfo> {
    if (this.exit) return this.exit;
    this.signal(this.stopSignal);
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): Promise<ExitInfo> {
    this.signal('SIGKILL');
    return this.exited;
  }

  async logTail(lines = 40): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  describeExit(): string {
    const info = this.exit;
    if (!info) return 'still running';
    if (info.error) return info.error.message;
    return info.signal ? `killed by ${info.signal}` : `exited with code ${String(info.code)}`;
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        process.kill(this.pid, signal);
      } catch {
        // already gone
      }
    }
  }
}
