import { spawn } from 'node:child_process';

export interface RunToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** Written to the tool's stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
}

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a short-lived tool to completion and returns its output whatever the exit code. */
export function runToolRaw(
  command: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out after ${options.timeoutMs} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like runToolRaw, but a non-zero exit is an error that carries the tool's output. */
export async function runTool(
  command: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  const result = await runToolRaw(command, args, options);
  if (result.code !== 0) {
    const output = `${result.stderr}${result.stdout}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with code ${String(result.code)}:\n${output}`);
  }
  return result;
}
