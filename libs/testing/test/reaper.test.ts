import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRunning, processesUsing, until } from './support/processes.js';

const child = fileURLToPath(new URL('./fixtures/servers.child.ts', import.meta.url));

interface Started {
  pids: number[];
  reaperPid: number;
  rootDir: string;
  startMs: number;
}

function startChild(): Promise<{ pid: number; started: Started }> {
  // The harness imports workspace packages (@muster/bus-auth for the NATS users, and through it
  // the generated contracts, whose enums Node cannot strip), so the child runs as services do.
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const proc = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', '--conditions=@muster/source', child],
    {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line && proc.pid)
        resolve({ pid: proc.pid, started: JSON.parse(line) as Started });
    });
    proc.once('exit', (code) =>
      reject(new Error(`child exited (${code}) before starting the servers:\n${err}`)),
    );
  });
}

describe('the watchdog', () => {
  it('stops every server and removes the temp dir when the process that started them is SIGKILLed', async () => {
    const { pid, started } = await startChild();
    // nats-server, postgres, redis-server, ceph-mon, ceph-osd, radosgw
    expect(started.pids).toHaveLength(6);
    for (const p of [...started.pids, started.reaperPid]) expect(isRunning(p), `pid ${p}`).toBe(true);
    expect(existsSync(started.rootDir)).toBe(true);
    expect(processesUsing(started.rootDir).length).toBeGreaterThanOrEqual(6);

    process.kill(pid, 'SIGKILL');

    const tookMs = await until(() => started.pids.every((p) => !isRunning(p)), 20_000, 'the servers to stop');
    await until(() => !existsSync(started.rootDir), 10_000, 'the temp dir to be removed');
    await until(() => !isRunning(started.reaperPid), 10_000, 'the watchdog to exit');
    // postgres' own children (checkpointer, walwriter, …) too: nothing runs in or from the dir.
    await until(
      () => processesUsing(started.rootDir).length === 0,
      10_000,
      'every process of the dir to be gone',
    );
    expect(tookMs).toBeLessThan(20_000);
  });
});
