import { readdir, readFile } from 'node:fs/promises';

/**
 * The live processes of process group `pgid`, read from /proc (the local stack runs on Linux).
 * A zombie does not count: it holds no memory and no port, and where PID 1 does not reap
 * orphans (this machine) a killed grandchild stays one for ever.
 */
export async function groupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (pgrp === String(pgid) && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

/** Sends `signal` to every process of the group; a group that is gone already is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Polls until the group has no live process or the deadline passes; returns what is left. */
export async function waitGroupGone(pgid: number, deadline: number): Promise<number[]> {
  for (;;) {
    const left = await groupMembers(pgid);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Stops a whole process group: `signal`, then SIGKILL for whatever is still there after
 * `graceMs`, then waits up to `killWaitMs` for the kernel to finish. Returns the pids still
 * alive after all that (normally none).
 */
export async function stopGroup(
  pgid: number,
  {
    signal = 'SIGTERM',
    graceMs,
    killWaitMs = 5_000,
  }: { signal?: NodeJS.Signals; graceMs: number; killWaitMs?: number },
): Promise<number[]> {
  signalGroup(pgid, signal);
  if ((await waitGroupGone(pgid, Date.now() + graceMs)).length === 0) return [];
  signalGroup(pgid, 'SIGKILL');
  return waitGroupGone(pgid, Date.now() + killWaitMs);
}
