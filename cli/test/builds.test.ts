// The real `muster` entry (bin/muster.mjs) against a small local server that speaks the
// image-build HTTP contract (submit, build detail, the log as server-sent events); the service
// itself is tested in services/image-build.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecipeInvalidError, verifyBundle } from '@muster/recipes';

const BIN = join(import.meta.dirname, '..', 'bin', 'muster.mjs');
const TOKEN = 'mst_builds_test';

type Event = [event: string, id: string | undefined, data: unknown];

interface FakeBuild {
  detail: Record<string, unknown>;
  /** What each connection to the log stream sends, in turn; `drop` ends it without `end`. */
  streams: { events: Event[]; drop?: boolean }[];
}

const builds = new Map<string, FakeBuild>();
const requests: { method: string; path: string; lastEventId?: string }[] = [];
let server: Server;
let url: string;

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text);
}

/** `POST /v1/builds`: a bundle image-build would accept, with the digest it would compute. */
async function submit(req: IncomingMessage, res: ServerResponse) {
  const { bundle } = (await body(req)) as { bundle: unknown };
  try {
    const { digest, bundle: verified } = verifyBundle(bundle);
    if (verified.recipe.name === 'refused') {
      return send(
        res,
        400,
        {
          title: 'Bad Request',
          status: 400,
          'invalid-params': [{ name: 'bundle.recipe.name', reason: 'refused here' }],
        },
        'application/problem+json',
      );
    }
    const buildId = randomUUID();
    builds.set(buildId, {
      detail: { buildId, recipeName: verified.recipe.name, state: 'succeeded' },
      streams: [
        {
          events: [
            ['phase', undefined, { phase: 'bootstrapping', percent: 5, message: 'mmdebstrap' }],
            ['log', '1', { seq: 1, at: '2026-01-01T00:00:01Z', line: 'line 1' }],
            ['log', '2', { seq: 2, at: '2026-01-01T00:00:02Z', line: 'line 2' }],
          ],
          drop: true,
        },
        {
          events: [
            ['log', '3', { seq: 3, at: '2026-01-01T00:00:03Z', line: 'line 3' }],
            ['phase', undefined, { phase: 'uploading', percent: 100, message: 'done' }],
            ['end', undefined, { state: 'succeeded' }],
          ],
        },
      ],
    });
    send(res, 202, { buildId, recipeDigest: digest, state: 'queued' });
  } catch (err) {
    if (!(err instanceof RecipeInvalidError)) throw err;
    send(res, 400, { title: 'Bad Request', status: 400, detail: err.message }, 'application/problem+json');
  }
}

function log(build: FakeBuild, req: IncomingMessage, res: ServerResponse) {
  const stream = build.streams.shift();
  if (!stream) return send(res, 500, { title: 'no more streams in this test' });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  res.write(': connected\n\n');
  for (const [event, id, data] of stream.events) {
    res.write(`event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  }
  // A dropped connection (a restart): the socket goes away in the middle of the stream.
  if (stream.drop) setImmediate(() => res.socket?.destroy());
  else res.end();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const lastEventId = req.headers['last-event-id'] as string | undefined;
    requests.push({ method: req.method ?? '', path, ...(lastEventId ? { lastEventId } : {}) });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, { title: 'Unauthorized' });
    if (req.method === 'POST' && path === '/v1/builds') return void submit(req, res);
    const match = /^\/v1\/builds\/([^/]+)(\/log)?$/.exec(path);
    const build = match ? builds.get(match[1]!) : undefined;
    if (!build) return send(res, 404, { title: 'Not Found' }, 'application/problem+json');
    if (match![2]) return log(build, req, res);
    send(res, 200, build.detail);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function muster(args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', MUSTER_URL: url, MUSTER_TOKEN: TOKEN },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function recipe(name: string): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'muster-cli-builds-'));
  await writeFile(join(cwd, 'overlay-file'), 'hello\n');
  await writeFile(
    join(cwd, `${name}.yaml`),
    `name: ${name}\nversion: "1"\nsuite: bookworm\narchitecture: amd64\nfiles:\n  - path: /etc/hello\n    source: overlay-file\n`,
  );
  return cwd;
}

describe('muster builds against a server that speaks the contract', () => {
  it('submit --follow: the bundle is accepted with the same digest; the log resumes after a drop, each line once', async () => {
    const cwd = await recipe('till');
    const r = await muster(['builds', 'submit', 'till.yaml', '--follow', '--priority', 'low'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const [first, ...lines] = r.stdout.trimEnd().split('\n');
    expect(first).toMatch(/^build [0-9a-f-]{36} queued: till 1, digest [0-9a-f]{64}$/);
    expect(lines).toEqual(['line 1', 'line 2', 'line 3']);
    // No digest warning: the server computed what this machine did.
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.stderr).toMatch(/^\[bootstrapping 5%\] mmdebstrap\n/);
    expect(r.stderr).toMatch(
      /reconnecting\n\[uploading 100%\] done\nbuild [0-9a-f-]{36} succeeded: muster builds show /,
    );
    const buildId = first!.split(' ')[1]!;
    const logs = requests.filter((q) => q.path === `/v1/builds/${buildId}/log`);
    expect(logs).toEqual([
      { method: 'GET', path: `/v1/builds/${buildId}/log` },
      { method: 'GET', path: `/v1/builds/${buildId}/log`, lastEventId: '2' },
    ]);
  });

  it('logs --follow of a build that fails exits 3 and says why', async () => {
    const buildId = randomUUID();
    builds.set(buildId, {
      detail: {
        buildId,
        state: 'failed',
        phase: 'bootstrapping',
        error: 'deb.debian.org unreachable',
        retryable: true,
      },
      streams: [
        {
          events: [
            ['log', '7', { seq: 7, at: '2026-01-01T00:00:07Z', line: 'E: Failed to fetch' }],
            ['end', undefined, { state: 'failed' }],
          ],
        },
      ],
    });
    const r = await muster(['builds', 'logs', buildId, '--follow'], '/');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('E: Failed to fetch\n');
    expect(r.stderr).toBe(
      `build ${buildId} failed in bootstrapping: deb.debian.org unreachable (it may succeed if submitted again)\n`,
    );
  });

  it('an invalid recipe exits 2 before any request; a bundle the server refuses exits 1 naming the field', async () => {
    const cwd = await recipe('bad');
    await writeFile(join(cwd, 'bad.yaml'), 'name: bad\nversion: "1"\nsuite: sid\narchitecture: amd64\n');
    const before = requests.length;
    const invalid = await muster(['builds', 'submit', 'bad.yaml'], cwd);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(new RegExp(`^${join(cwd, 'bad.yaml')}:3:1: suite: .+\\n$`));
    expect(requests.length).toBe(before);

    const refused = await muster(['builds', 'submit', 'refused.yaml'], await recipe('refused'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('muster: 400 Bad Request (bundle.recipe.name: refused here)\n');
  });
});
