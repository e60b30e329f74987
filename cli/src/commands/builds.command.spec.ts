import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyBundle } from '@muster/recipes';
import { main } from '../main.js';
import type { CliIo } from './context.js';

type Answer = (url: URL, init: RequestInit) => Response;

/** The CLI with a fetch that answers in-process (no network) and the output it printed. */
async function run(argv: string[], answer: Answer, extra: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: { url: URL; init: RequestInit }[] = [];
  const code = await main(argv, {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: { MUSTER_URL: 'http://api.test', MUSTER_TOKEN: 'mst_test' },
    cwd: '/nonexistent',
    home: '/nonexistent',
    signal: new AbortController().signal,
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url: new URL(url), init });
      return answer(new URL(url), init);
    }) as unknown as typeof fetch,
    ...extra,
  });
  return { code, out: out.join(''), err: err.join(''), calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A finished event stream: `[event, id?, data]` each. */
const sse = (events: [string, string | undefined, unknown][]) =>
  new Response(
    events
      .map(
        ([event, id, data]) => `event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`,
      )
      .join(''),
    { headers: { 'content-type': 'text/event-stream' } },
  );

const ID = '5b0c6f4e-8d1a-4c2b-9e3f-0a1b2c3d4e5f';

async function recipeDir(): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'muster-cli-builds-'));
  await writeFile(join(cwd, 'motd'), 'welcome\n');
  await writeFile(
    join(cwd, 'till.yaml'),
    'name: till\nversion: "2"\nsuite: bookworm\narchitecture: amd64\nfiles:\n  - path: /etc/motd\n    source: motd\n',
  );
  return cwd;
}

describe('muster builds submit', () => {
  it('bundles the recipe here and posts it with --priority and --refresh-cache', async () => {
    const cwd = await recipeDir();
    let digest = '';
    const r = await run(
      ['builds', 'submit', 'till.yaml', '--priority', 'high', '--refresh-cache'],
      (_url, init) => {
        const body = JSON.parse(init.body as string) as { bundle: unknown };
        digest = verifyBundle(body.bundle).digest;
        return json({ buildId: ID, recipeDigest: digest, state: 'queued' }, 202);
      },
      { cwd },
    );
    expect(r.code, r.err).toBe(0);
    expect(r.calls[0]!.url.pathname).toBe('/v1/builds');
    expect(r.calls[0]!.init.method).toBe('POST');
    expect(JSON.parse(r.calls[0]!.init.body as string)).toMatchObject({ priority: 'high', cache: 'refresh' });
    expect(r.out).toBe(`build ${ID} queued: till 2, digest ${digest}\n`);
    expect(r.err).toBe(`follow it: muster builds logs ${ID} --follow\n`);
  });

  it('leaves out what the server defaults, and warns when the server computed another digest', async () => {
    const cwd = await recipeDir();
    const r = await run(
      ['builds', 'submit', 'till.yaml'],
      () => json({ buildId: ID, recipeDigest: 'f'.repeat(64), state: 'queued' }, 202),
      { cwd },
    );
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.calls[0]!.init.body as string) as object)).toEqual(['bundle']);
    expect(r.err).toMatch(
      /^warning: image-build computed the recipe digest f{64}, this machine [0-9a-f]{64};/,
    );
  });

  it('prints each problem of an invalid recipe as file:line:column: field: message, exit 2, nothing sent', async () => {
    const cwd = await recipeDir();
    await writeFile(
      join(cwd, 'bad.yaml'),
      'name: bad\nversion: "1"\nsuite: bookworm\narchitecture: amd64\nhostnme: x\n',
    );
    const r = await run(['builds', 'submit', 'bad.yaml'], () => json({}), { cwd });
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${join(cwd, 'bad.yaml')}:5:1: hostnme: unknown key "hostnme"\n`);
    expect(r.calls).toHaveLength(0);
  });

  it('refuses an unknown --priority as a usage error', async () => {
    const r = await run(['builds', 'submit', 'x.yaml', '--priority', 'urgent'], () => json({}));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /--priority <priority>' argument 'urgent' is invalid. Allowed choices are low, normal, high/,
    );
  });
});

describe('muster builds ls and show', () => {
  it('ls sends the filters and prints the builds and the queue', async () => {
    const r = await run(['builds', 'ls', '--state', 'running', '--recipe', 'till', '--limit', '5'], () =>
      json({
        builds: [
          {
            buildId: ID,
            recipeName: 'till',
            recipeVersion: '2',
            state: 'running',
            phase: 'customizing',
            percent: 40.4,
          },
        ],
        queue: { waiting: 2, active: 1 },
      }),
    );
    expect(r.code).toBe(0);
    expect(Object.fromEntries(r.calls[0]!.url.searchParams)).toEqual({
      state: 'running',
      recipe: 'till',
      limit: '5',
    });
    expect(r.out).toMatch(
      new RegExp(
        `^BUILD +RECIPE +STATE +CREATED +FINISHED\\n${ID} +till 2 +running \\(customizing 40%\\) +- +-\\n$`,
      ),
    );
    expect(r.err).toBe('queue: waiting=2 active=1\n');
    expect((await run(['builds', 'ls', '--state', 'done'], () => json({}))).code).toBe(2);
  });

  it('show prints the outputs with their SHA-256 and the provenance in short', async () => {
    const sha = 'a'.repeat(64);
    const r = await run(['builds', 'show', ID], (url) =>
      url.pathname.endsWith('/provenance')
        ? json({
            packageSet: { source: 'kept', fromBuild: 'b-1', digest: 'c'.repeat(64), count: 212 },
            baseLayer: { key: 'k1', cache: 'hit' },
            builder: { name: '@muster/image-builder', version: '0.1.0' },
            tools: { mmdebstrap: '1.3.5' },
            sourceDateEpoch: 1_700_000_000,
            sbomSha256: 'd'.repeat(64),
          })
        : json({
            buildId: ID,
            recipeName: 'till',
            recipeVersion: '2',
            recipeDigest: 'b'.repeat(64),
            state: 'succeeded',
            outputs: [
              {
                kind: 'squashfs',
                fileName: 'root.squashfs',
                objectKey: 'k',
                sha256: sha,
                sizeBytes: 3 * 1024 * 1024,
              },
            ],
            packageCount: 212,
          }),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^build +${ID}\\nrecipe +till 2\\ndigest +b{64}\\n`));
    expect(r.out).toMatch(
      new RegExp(`\\nKIND +FILE +SIZE +SHA256\\nsquashfs +root\\.squashfs +3\\.0 MiB +${sha}\\n`),
    );
    expect(r.out).toContain(`package set  kept from build b-1, 212 packages, sha256 ${'c'.repeat(64)}`);
    expect(r.out).toContain('base layer   k1 (cache hit)');
    expect(r.out).toContain('source date  2023-11-14T22:13:20.000Z (SOURCE_DATE_EPOCH=1700000000)');
  });
});

describe('muster builds logs', () => {
  const failedStream = () =>
    sse([
      ['phase', undefined, { phase: 'bootstrapping', percent: 10, message: 'mmdebstrap' }],
      ['log', '1', { seq: 1, at: 't', line: 'I: \u001b[31mretrieving\u001b[0m Release' }],
      ['phase', undefined, { phase: 'bootstrapping', percent: 15, message: 'mmdebstrap' }],
      ['phase', undefined, { phase: 'customizing', percent: 40, message: 'files' }],
      ['log', '2', { seq: 2, at: 't', line: 'E: script brand failed' }],
      ['end', undefined, { state: 'failed' }],
    ]);
  const detail = (state: string) =>
    json({ buildId: ID, state, phase: 'customizing', error: 'script brand exited 1', retryable: false });
  const answer: Answer = (url) => (url.pathname.endsWith('/log') ? failedStream() : detail('failed'));

  it('without a terminal: the lines on stdout, each phase (and each 10%) on stderr, exit 3 when the build failed', async () => {
    const r = await run(['builds', 'logs', ID, '--follow'], answer);
    expect(r.code).toBe(3);
    expect(r.out).toBe('I: retrieving Release\nE: script brand failed\n');
    expect(r.err).toBe(
      '[bootstrapping 10%] mmdebstrap\n[customizing 40%] files\n' +
        `build ${ID} failed in customizing: script brand exited 1\n`,
    );
    expect((r.calls[0]!.init.headers as Record<string, string>)['accept']).toBe('text/event-stream');
  });

  it('on a terminal: a progress bar kept below the lines, erased at the end', async () => {
    const r = await run(['builds', 'logs', ID, '--follow'], answer, { tty: { columns: 60 } });
    expect(r.code).toBe(3);
    const erase = '\r\u001b[2K';
    expect(r.out).toBe(
      `${'██░░░░░░░░░░░░░░░░░░░░░░'}  10% bootstrapping: mmdebstrap` +
        `${erase}I: retrieving Release\n${'██░░░░░░░░░░░░░░░░░░░░░░'}  10% bootstrapping: mmdebstrap` +
        `${erase}${'████░░░░░░░░░░░░░░░░░░░░'}  15% bootstrapping: mmdebstrap` +
        `${erase}${'██████████░░░░░░░░░░░░░░'}  40% customizing: files` +
        `${erase}E: script brand failed\n${'██████████░░░░░░░░░░░░░░'}  40% customizing: files` +
        erase,
    );
  });

  /** A stream that sends `lines` and stays open until the request is aborted. */
  const openStream = (lines: string[], init: RequestInit) =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          lines.forEach((line, i) =>
            controller.enqueue(
              new TextEncoder().encode(
                `event: log\nid: ${i + 1}\ndata: ${JSON.stringify({ seq: i + 1, at: 't', line })}\n\n`,
              ),
            ),
          );
          init.signal?.addEventListener('abort', () =>
            controller.error(new DOMException('aborted', 'AbortError')),
          );
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );

  it('without --follow, a build still running: the log so far, then exit 0', async () => {
    const r = await run(['builds', 'logs', ID], (url, init) =>
      url.pathname.endsWith('/log') ? openStream(['one', 'two'], init) : detail('running'),
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe('one\ntwo\n');
    expect(r.err).toBe(`build ${ID} is still running: muster builds logs ${ID} --follow\n`);
  });

  it('Ctrl-C stops following and leaves the build running', async () => {
    const abort = new AbortController();
    const r = await run(
      ['builds', 'logs', ID, '--follow'],
      (url, init) => (url.pathname.endsWith('/log') ? openStream(['one'], init) : detail('running')),
      { signal: abort.signal, stdout: () => abort.abort() },
    );
    expect(r.code).toBe(0);
    expect(r.err).toBe(`stopped following build ${ID}; it goes on (muster builds cancel ${ID} stops it)\n`);
  });

  it('a build that was cancelled exits 3 too', async () => {
    const r = await run(['builds', 'logs', ID, '--follow'], () =>
      sse([['end', undefined, { state: 'cancelled' }]]),
    );
    expect(r.code).toBe(3);
    expect(r.err).toBe(`build ${ID} was cancelled\n`);
  });

  it('--json: one JSON line per event; a build that succeeded exits 0', async () => {
    const r = await run(['--json', 'builds', 'logs', ID], (url) =>
      url.pathname.endsWith('/log')
        ? sse([
            ['log', '1', { seq: 1, at: 't', line: 'done' }],
            ['end', undefined, { state: 'succeeded' }],
          ])
        : detail('succeeded'),
    );
    expect(r.code).toBe(0);
    expect(
      r.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { event: 'log', seq: 1, at: 't', line: 'done' },
      { event: 'end', state: 'succeeded' },
    ]);
  });
});

describe('muster builds provenance, sbom, packages, cancel', () => {
  it('sbom -o writes the bytes the server sent and prints their SHA-256', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'muster-cli-sbom-'));
    const sbom = '{"bomFormat":"CycloneDX","specVersion":"1.5"}';
    const r = await run(['builds', 'sbom', ID, '-o', 'out.cdx.json'], () => new Response(sbom), { cwd });
    expect(r.code, r.err).toBe(0);
    expect(r.calls[0]!.url.pathname).toBe(`/v1/builds/${ID}/sbom`);
    expect(await readFile(join(cwd, 'out.cdx.json'), 'utf8')).toBe(sbom);
    expect(r.err).toMatch(/^wrote out\.cdx\.json \(45 B, sha256 [0-9a-f]{64}\)\n$/);
    const printed = await run(
      ['builds', 'provenance', ID],
      () => new Response('{"format":"muster.provenance.v1"}'),
    );
    expect(printed.out).toBe('{"format":"muster.provenance.v1"}\n');
  });

  it('packages prints a table; cancel prints the new state, a refusal exits 1', async () => {
    const r = await run(['builds', 'packages', ID], () =>
      json({
        packages: [
          {
            name: 'cups',
            version: '2.4.2-3',
            architecture: 'amd64',
            source: 'cups',
            sha256: 'e'.repeat(64),
            sizeBytes: 2048,
          },
        ],
      }),
    );
    expect(r.out).toMatch(
      /^NAME +VERSION +ARCH +SOURCE +SIZE +SHA256\ncups +2\.4\.2-3 +amd64 +- +2\.0 KiB +e{64}\n$/,
    );
    expect(r.err).toBe('1 package\n');
    const cancelled = await run(['builds', 'cancel', ID], () => json({ state: 'cancelling' }, 202));
    expect(cancelled.out).toBe(`build ${ID}: cancelling\n`);
    const refused = await run(['builds', 'cancel', ID], () =>
      json({ title: 'Conflict', status: 409, detail: 'the build already ended' }, 409),
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toBe('muster: 409 Conflict: the build already ended\n');
  });
});
