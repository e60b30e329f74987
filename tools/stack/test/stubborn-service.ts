// A stand-in for a service in the supervisor's tests: it starts a helper process in its own
// process group that ignores SIGTERM (as a shell, a build tool or a stuck child might), then,
// by STUBBORN_MODE: `ready` serves /readyz and exits on SIGTERM like a real service;
// `starting` never becomes ready; `crash` exits with code 1 once its helper runs.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const mode = process.env.STUBBORN_MODE ?? 'ready';
const helper = spawn(
  process.execPath,
  ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 60000); console.log('up')"],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
// Only once its handler is installed does SIGTERM leave the helper running.
await new Promise((resolve) => helper.stdout.once('data', resolve));
helper.stdout.destroy();
helper.unref();
console.log(`helper ${helper.pid} ignores SIGTERM`);

if (mode === 'crash') process.exit(1);
process.on('SIGTERM', () => process.exit(0));
if (mode === 'ready') {
  createServer((_req, res) => res.end('ok')).listen(Number(process.env.MUSTER_HTTP_PORT), '127.0.0.1');
} else {
  setInterval(() => {}, 60_000);
}
