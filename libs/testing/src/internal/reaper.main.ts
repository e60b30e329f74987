// The watchdog process (see reaper.ts). Node runs this file directly, so it uses only erasable
// TypeScript and Node built-ins. argv: <parent pid>. stdin: JSON lines from the parent:
//   {"op":"pid","pid":N,"signal":"SIGTERM"}  a server's process group to stop if the parent dies
//   {"op":"unpid","pid":N}                   stopped normally, forget it
//   {"op":"dir","path":P} / {"op":"undir","path":P}   a temporary directory to remove
// When the parent disappears (stdin closes, or its pid is gone) it signals every tracked group,
// waits GRACE_MS, SIGKILLs what is left, removes the directories and exits.
import { readFileSync, rmSync } from 'node:fs';

const GRACE_MS = 5_000;
const POLL_MS = 250;

const parentPid = Number(process.argv[2]);
const groups = new Map<number, NodeJS.Signals>();
const dirs = new Set<string>();
let cleaning = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers kill(0); where PID 1 does not reap orphans, it stays one.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function cleanUp(): Promise<void> {
  if (cleaning) return;
  cleaning = true;
  const pids = [...groups.keys()];
  for (const pid of pids) signalGroup(pid, groups.get(pid) ?? 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline && pids.some(alive)) await sleep(50);
  for (const pid of pids) signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2_000;
  while (Date.now() < killDeadline && pids.some(alive)) await sleep(20);
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // nothing more we can do
    }
  }
  process.exit(0);
}

function handle(line: string): void {
  if (!line.trim()) return;
  let msg: { op?: unknown; pid?: unknown; path?: unknown; signal?: unknown };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    return;
  }
  if (msg.op === 'pid' && typeof msg.pid === 'number') {
    groups.set(msg.pid, typeof msg.signal === 'string' ? (msg.signal as NodeJS.Signals) : 'SIGTERM');
  } else if (msg.op === 'unpid' && typeof msg.pid === 'number') {
    groups.delete(msg.pid);
  } else if (msg.op === 'dir' && typeof msg.path === 'string') {
    dirs.add(msg.path);
  } else if (msg.op === 'undir' && typeof msg.path === 'string') {
    dirs.delete(msg.path);
  }
}

// A terminal's Ctrl-C or hang-up is for the parent; we act only once it is gone.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  let newline = buffered.indexOf('\n');
  while (newline >= 0) {
    handle(buffered.slice(0, newline));
    buffered = buffered.slice(newline + 1);
    newline = buffered.indexOf('\n');
  }
});
process.stdin.on('end', () => void cleanUp());
process.stdin.on('error', () => void cleanUp());
setInterval(() => {
  if (!Number.isInteger(parentPid) || parentPid <= 0 || !alive(parentPid)) void cleanUp();
}, POLL_MS);

process.stdout.write('ready\n');
