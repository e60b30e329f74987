import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

/** The repository these tools live in: where node_modules (buf, protoc-gen-es) is found. */
export const toolRoot = resolve(import.meta.dirname, '../..');

export class ToolError extends Error {
  override readonly name = 'ToolError';
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Spawned tools see this Node first on the path: protoc-gen-es is a `#!/usr/bin/env node`
 * script that needs Node ≥ 22, and the machine's own node may be older.
 */
function toolEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter) };
}

export function run(command: string, args: readonly string[], cwd: string): RunResult {
  const result = spawnSync(command, args, {
    cwd,
    env: toolEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    const hint = command === protoc() ? ' (install Debian package protobuf-compiler, or set PROTOC)' : '';
    throw new ToolError(`cannot run ${command}: ${result.error.message}${hint}`);
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs and throws with the tool's own output when it fails. */
export function runOrThrow(command: string, args: readonly string[], cwd: string): RunResult {
  const result = run(command, args, cwd);
  if (result.status !== 0) {
    const output = (result.stderr + result.stdout).trim();
    throw new ToolError(`${[command, ...args].join(' ')} failed (exit ${result.status})\n${output}`);
  }
  return result;
}

export function protoc(): string {
  return process.env['PROTOC'] ?? 'protoc';
}

function bin(relative: string): string {
  const path = join(toolRoot, 'node_modules', relative);
  if (!existsSync(path)) throw new ToolError(`${path} is missing: run npm ci`);
  return path;
}

/** buf from @bufbuild/buf, through its Node launcher so that any platform's binary is used. */
export function buf(args: readonly string[], cwd: string): RunResult {
  return run(process.execPath, [bin('@bufbuild/buf/bin/buf'), ...args], cwd);
}

export function protocGenEs(): string {
  return bin('.bin/protoc-gen-es');
}
