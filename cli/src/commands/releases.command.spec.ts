import { describe, expect, it } from 'vitest';
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
const bodyOf = (init: RequestInit) => JSON.parse(init.body as string) as unknown;

const R1 = '11111111-2222-4333-8444-555555555555';
const R0 = '00000000-2222-4333-8444-555555555555';
const summary = {
  releaseId: R1,
  imageName: 'till',
  version: '3',
  sequence: 3,
  architecture: 'amd64',
  state: 'published',
  channels: ['stable'],
  rollbackFloor: 0,
  totalSizeBytes: 3 * 1024 * 1024,
  newStoredBytes: 2048,
  reusedBytes: 0,
  buildId: null,
  publishedAt: '2026-11-30T12:00:00.000Z',
};

describe('muster releases ls', () => {
  it('sends the filters as the API names them and prints a table with readable sizes', async () => {
    const r = await run(
      [
        'releases',
        'ls',
        '--image',
        'till',
        '--arch',
        'amd64',
        '--channel',
        'stable',
        '--state',
        'published',
        '--limit',
        '5',
      ],
      () => json({ releases: [summary], next: 'cursor-2' }),
    );
    expect(r.code, r.err).toBe(0);
    expect(Object.fromEntries(r.calls[0]!.url.searchParams)).toEqual({
      image: 'till',
      architecture: 'amd64',
      channel: 'stable',
      state: 'published',
      limit: '5',
    });
    const [header, row] = r.out.trimEnd().split('\n');
    expect(header).toMatch(
      /^RELEASE\s+IMAGE\s+VERSION\s+SEQ\s+ARCH\s+STATE\s+CHANNELS\s+SIZE\s+NEW STORED\s+PUBLISHED$/,
    );
    expect(row).toMatch(
      new RegExp(
        `^${R1}\\s+till\\s+3\\s+3\\s+amd64\\s+published\\s+stable\\s+3\\.0 MiB\\s+2\\.0 KiB\\s+2026-`,
      ),
    );
    expect(r.err).toBe('more: --after cursor-2 (or --all)\n');
  });

  it('refuses a state the API does not have, before any request (exit 2)', async () => {
    const r = await run(['releases', 'ls', '--state', 'gone'], () => json({}));
    expect(r.code).toBe(2);
    expect(r.calls).toHaveLength(0);
  });
});

describe('muster releases show', () => {
  const detail = {
    ...summary,
    state: 'revoked',
    revokedAt: '2026-12-01T00:00:00.000Z',
    revokedReason: 'broken boot',
    recipeDigest: 'ab'.repeat(32),
    files: [
      {
        name: 'root.squashfs',
        kind: 'squashfs',
        sha256: 'cd'.repeat(32),
        lengthBytes: 3 * 1024 * 1024,
        manifestSha256: 'ef'.repeat(32),
        chunkCount: 190,
        storedBytes: 1024 * 1024,
        chunking: 'squashfs-v1',
      },
    ],
    document: null,
    pins: [{ holder: 'machine:m-1', updatedAt: '2026-11-30T13:00:00.000Z' }],
  };

  it('prints the release, its files with chunks and stored bytes, its document and pins', async () => {
    const r = await run(['releases', 'show', R1], () => json(detail));
    expect(r.code, r.err).toBe(0);
    expect(r.calls[0]!.url.pathname).toBe(`/v1/releases/${R1}`);
    expect(r.out).toMatch(/^state\s+revoked at 2026-12-01T00:00:00.000Z: broken boot$/m);
    expect(r.out).toMatch(/^document\s+none$/m);
    expect(r.out).toMatch(/^root\.squashfs\s+squashfs\s+3\.0 MiB\s+190\s+1\.0 MiB\s+squashfs-v1\s+c/m);
    expect(r.out).toMatch(/^machine:m-1\s+2026-11-30T13:00:00.000Z$/m);
  });

  it('--json prints the answer as it came', async () => {
    const r = await run(['--json', 'releases', 'show', R1], () => json(detail));
    expect(JSON.parse(r.out)).toEqual(detail);
  });
});

describe('muster releases promote, revoke, delta', () => {
  it('promote posts the channel and the rollback floor', async () => {
    const r = await run(['releases', 'promote', R1, '--channel', 'stable', '--rollback-floor', '2'], () =>
      json({ releaseId: R1, channel: 'stable', previous: R0 }),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.calls[0]!.url.pathname).toBe(`/v1/releases/${R1}/promote`);
    expect(bodyOf(r.calls[0]!.init)).toEqual({ channel: 'stable', rollbackFloor: 2 });
    expect(r.out).toBe(`release ${R1} is on channel stable (it was ${R0})\n`);
  });

  it('promote without --channel is a usage error', async () => {
    const r = await run(['releases', 'promote', R1], () => json({}));
    expect(r.code).toBe(2);
    expect(r.err).toContain("required option '--channel <channel>'");
  });

  it('revoke posts the reason and says which channels the release left', async () => {
    const r = await run(['releases', 'revoke', R1, '--reason', 'broken boot'], () =>
      json({ releaseId: R1, state: 'revoked', leftChannels: ['stable'] }),
    );
    expect(bodyOf(r.calls[0]!.init)).toEqual({ reason: 'broken boot' });
    expect(r.out).toBe(`release ${R1}: revoked; it left stable\n`);
  });

  it('delta posts fromRelease and prints a row per file and the total', async () => {
    const plan = {
      releaseId: R1,
      files: [
        {
          name: 'root.squashfs',
          manifestSha256: 'ef'.repeat(32),
          totalBytes: 4 * 1024 * 1024,
          chunks: 200,
          needChunks: 3,
          needStoredBytes: 30 * 1024,
          reusedBytes: 4 * 1024 * 1024 - 48 * 1024,
        },
        {
          name: 'vmlinuz',
          manifestSha256: 'ab'.repeat(32),
          totalBytes: 1024,
          chunks: 1,
          needChunks: 0,
          needStoredBytes: 0,
          reusedBytes: 1024,
        },
      ],
      needChunks: 3,
      needStoredBytes: 30 * 1024,
      reusedBytes: 4 * 1024 * 1024 - 47 * 1024,
    };
    const r = await run(['releases', 'delta', R1, '--from', R0], () => json(plan));
    expect(r.code, r.err).toBe(0);
    expect(bodyOf(r.calls[0]!.init)).toEqual({ fromRelease: R0 });
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^FILE\s+SIZE\s+CHUNKS\s+NEED\s+TO FETCH\s+REUSED$/);
    expect(lines[1]).toMatch(/^root\.squashfs\s+4\.0 MiB\s+200\s+3\s+30\.0 KiB\s+4\.0 MiB$/);
    expect(lines[3]).toBe('to fetch: 3 chunks, 30.0 KiB stored; reused 4.0 MiB of 4.0 MiB (98.8%)');
  });
});

describe('muster channels ls, gc', () => {
  it('channels ls prints each channel with its release', async () => {
    const r = await run(['channels', 'ls'], () =>
      json({
        channels: [
          {
            channel: 'stable',
            imageName: 'till',
            architecture: 'amd64',
            releaseId: R1,
            sequence: 3,
            updatedAt: '2026-11-30T12:00:00.000Z',
          },
        ],
      }),
    );
    expect(r.out).toMatch(
      new RegExp(`^stable\\s+till\\s+amd64\\s+${R1}\\s+3\\s+2026-11-30T12:00:00.000Z$`, 'm'),
    );
  });

  it('gc --dry-run asks for a dry run and says what would go', async () => {
    const r = await run(['gc', '--dry-run'], () =>
      json({
        dryRun: true,
        releasesRemoved: [R0],
        manifestsRemoved: 2,
        chunksRemoved: 40,
        storedBytesFreed: 10240,
        orphanObjectsRemoved: 0,
      }),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.calls[0]!.init.method).toBe('POST');
    expect(bodyOf(r.calls[0]!.init)).toEqual({ dryRun: true });
    expect(r.out).toMatch(new RegExp(`^releases would remove\\s+1: ${R0}$`, 'm'));
    expect(r.out).toMatch(/^chunks would remove\s+40$/m);
    expect(r.out).toMatch(/^stored bytes freed \(estimate\)\s+10\.0 KiB$/m);
  });

  it('gc without --dry-run sends dryRun false', async () => {
    const r = await run(['gc'], () =>
      json({
        dryRun: false,
        releasesRemoved: [],
        manifestsRemoved: 0,
        chunksRemoved: 0,
        storedBytesFreed: 0,
        orphanObjectsRemoved: 0,
      }),
    );
    expect(bodyOf(r.calls[0]!.init)).toEqual({ dryRun: false });
    expect(r.out).toMatch(/^releases removed\s+none$/m);
  });
});

describe('muster site-caches', () => {
  const status = {
    capacityBytes: 100 * 1024 ** 3,
    usedBytes: 3 * 1024 ** 3,
    chunkCount: 5000,
    hitRatio: 0.875,
    bytesServed: 8 * 1024 ** 3,
    originBytes: 1024 ** 3,
  };

  it('ls prints each announced cache with its figures', async () => {
    const r = await run(['site-caches', 'ls'], () =>
      json({
        siteCaches: [
          {
            cacheId: 'c-1',
            siteId: 'branch-042',
            url: 'http://cache.b42:8090',
            announcedAt: '2026-11-30T12:00:00.000Z',
            status,
          },
        ],
      }),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.calls[0]!.url.pathname).toBe('/v1/site-caches');
    expect(r.out).toMatch(
      /^c-1\s+branch-042\s+http:\/\/cache\.b42:8090\s+3\.0 GiB of 100\.0 GiB \(3\.0%\)\s+5000\s+87\.5%\s+8\.0 GiB\s+1\.0 GiB\s+2026-/m,
    );
  });

  it('status asks the cache itself, without the operator token', async () => {
    const r = await run(['site-caches', 'status', 'http://cache.b42:8090/'], () =>
      json({
        cacheId: 'c-1',
        siteId: 'branch-042',
        ...status,
        bytesSaved: 7 * 1024 ** 3,
        refused: { 'hash-mismatch': 2, corrupt: 0 },
        evictions: 9,
      }),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.calls[0]!.url.toString()).toBe('http://cache.b42:8090/v1/status');
    expect(new Headers(r.calls[0]!.init.headers).has('authorization')).toBe(false);
    expect(r.out).toMatch(/^cacheId\s+c-1$/m);
    expect(r.out).toMatch(/^hit ratio\s+87\.5%$/m);
    expect(r.out).toMatch(/^refused\s+hash-mismatch=2$/m);
  });

  it('status refuses what is not an http URL (exit 2)', async () => {
    const r = await run(['site-caches', 'status', 'ftp://cache'], () => json({}));
    expect(r.code).toBe(2);
    expect(r.calls).toHaveLength(0);
  });
});

describe('muster releases verify (flags)', () => {
  it('needs at least one trusted key (exit 2, no request)', async () => {
    const r = await run(['releases', 'verify', R1], () => json({}));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--key <keyId>:<base64 public key> or --keys-file F');
    expect(r.calls).toHaveLength(0);
  });

  it('refuses a key that is not <keyId>:<base64 public key> (exit 2)', async () => {
    const r = await run(['releases', 'verify', R1, '--key', 'release-2026'], () => json({}));
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not <keyId>:<base64 Ed25519 public key>');
  });
});
