// The `muster releases`, `channels` and `gc` commands against artifact-store itself (its own
// process, schema, bucket and bus), with builds published to it as image-build does. Tiny plain
// files (FastCDC), no mksquashfs.
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, keyRing, publicKeyBytes, type TrustedKey } from '@muster/command-signing';
import { OutputKind } from '@muster/contracts';
import { main } from '../src/main.js';
import { startArtifactStoreProcess, type ArtifactStoreProcess } from './fixtures/artifact-store-process.js';

let store: ArtifactStoreProcess;
let first: string;
let second: string;
let key: string;
let cwd: string;

/** Bytes that FastCDC cuts into several chunks and zstd cannot squeeze to nothing. */
function bytes(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < length; at += 32) {
    block = createHash('sha256').update(block).digest();
    block.copy(out, at, 0, Math.min(32, length - at));
  }
  return out;
}

const keyEntry = (k: TrustedKey) => `${k.keyId}:${Buffer.from(publicKeyBytes(k)).toString('base64')}`;

async function muster(...argv: string[]) {
  return musterIn({}, ...argv);
}

async function musterIn(io: { tty?: { columns: number } }, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { MUSTER_URL: store.url, MUSTER_TOKEN: store.token },
    cwd,
    home: '/nonexistent',
    signal: new AbortController().signal,
    fetch: globalThis.fetch,
    ...io,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  store = await startArtifactStoreProcess();
  cwd = await mkdtemp(join(tmpdir(), 'muster-cli-releases-'));
  key = keyEntry(store.trusted);
  const kernel = bytes('kernel', 120_000);
  const initrd = bytes('initrd', 40_000);
  first = await store.publish('cli-till', [
    { name: 'vmlinuz', kind: OutputKind.KERNEL, bytes: kernel },
    { name: 'initrd.img', kind: OutputKind.INITRD, bytes: initrd },
  ]);
  // The second build changes the middle of the kernel only.
  const changed = Buffer.concat([kernel.subarray(0, 60_000), bytes('patch', 5_000), kernel.subarray(65_000)]);
  second = await store.publish('cli-till', [
    { name: 'vmlinuz', kind: OutputKind.KERNEL, bytes: changed },
    { name: 'initrd.img', kind: OutputKind.INITRD, bytes: initrd },
  ]);
});
afterAll(async () => {
  await store?.close();
});

describe('muster releases against artifact-store', () => {
  it('ls: a table for people, --json pages for scripts', async () => {
    const table = await muster('releases', 'ls', '--image', 'cli-till');
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^RELEASE\s+IMAGE/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 4))).toEqual([
      [second, 'cli-till', '2', '2'],
      [first, 'cli-till', '1', '1'],
    ]);
    const page = await muster('--json', 'releases', 'ls', '--image', 'cli-till', '--limit', '1');
    const body = JSON.parse(page.stdout) as { releases: { releaseId: string }[]; next?: string };
    expect(body.releases.map((r) => r.releaseId)).toEqual([second]);
    expect(body.next).toEqual(expect.any(String));
    const all = await muster('--json', 'releases', 'ls', '--image', 'cli-till', '--limit', '1', '--all');
    expect((JSON.parse(all.stdout) as typeof body).releases.map((r) => r.releaseId)).toEqual([second, first]);
  });

  it('show: files with chunks and stored bytes, the document, --json as served', async () => {
    const shown = await muster('releases', 'show', second);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^state\s+published$/m);
    expect(shown.stdout).toMatch(/^channels\s+none$/m);
    expect(shown.stdout).toMatch(/^document\s+sha256 [0-9a-f]{64}, issued \S+, expires \S+$/m);
    expect(shown.stdout).toMatch(
      /^vmlinuz\s+kernel\s+117\.2 KiB\s+\d+\s+\d+\.\d KiB\s+fastcdc-v1\s+[0-9a-f]{40}/m,
    );
    const json = JSON.parse((await muster('--json', 'releases', 'show', second)).stdout) as {
      files: { name: string; chunkCount: number }[];
    };
    expect(json.files.map((f) => f.name)).toEqual(['initrd.img', 'vmlinuz']);
    expect(json.files.every((f) => f.chunkCount > 1)).toBe(true);
  });

  it('verify: accepted with the signing key, every chunk with --files; refused (unknown-key) with a foreign key', async () => {
    const ok = await muster('releases', 'verify', second, '--key', key, '--files');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^✓ document: cli-till 2 \(amd64\), sequence 2, no channel/m);
    expect(ok.stdout).toMatch(/^✓ vmlinuz manifest: /m);
    expect(ok.stdout).toMatch(/^✓ vmlinuz file: 120000 bytes rebuilt from \d+ distinct chunks/m);
    expect(ok.stdout).toMatch(/^✓ initrd.img file: /m);
    expect(ok.stdout.trimEnd().split('\n').at(-1)).toBe(`release ${second} verified`);

    // On a terminal the file checks draw a progress bar, erased before each line and at the end.
    const tty = await musterIn(
      { tty: { columns: 100 } },
      'releases',
      'verify',
      second,
      '--key',
      key,
      '--files',
    );
    expect(tty.code, tty.stderr).toBe(0);
    expect(tty.stdout).toMatch(/█+ 100% vmlinuz: 117\.2 KiB of 117\.2 KiB\r\u001b\[2K/);

    await writeFile(join(cwd, 'keys'), `# ours\n${key}\n`);
    expect((await muster('releases', 'verify', second, '--keys-file', 'keys')).code).toBe(0);

    const foreign = keyEntry(keyRing([generateSigningKey('foreign').key]).trusted[0]!);
    const refused = await muster('releases', 'verify', second, '--key', foreign);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toContain(
      `✗ document: refused (unknown-key): release ${second} is signed only by keys not trusted here: "${store.trusted.keyId}"`,
    );
    expect(refused.stderr).toBe(`muster: release ${second} refused (unknown-key)\n`);
    const json = await muster('--json', 'releases', 'verify', second, '--key', foreign);
    expect(JSON.parse(json.stdout)).toMatchObject({
      releaseId: second,
      verified: false,
      reason: 'unknown-key',
    });
  });

  it('promote: the channel points at the release and its document names the channel', async () => {
    const promoted = await muster('releases', 'promote', second, '--channel', 'stable');
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toBe(`release ${second} is on channel stable\n`);
    const channels = await muster('channels', 'ls');
    expect(channels.stdout).toMatch(new RegExp(`^stable\\s+cli-till\\s+amd64\\s+${second}\\s+2\\s`, 'm'));
    const verified = await muster('releases', 'verify', second, '--key', key);
    expect(verified.stdout).toMatch(/^✓ document: cli-till 2 \(amd64\), sequence 2, channels stable,/m);
  });

  it('delta: only the changed kernel chunks are needed from the first release', async () => {
    const plan = await muster('releases', 'delta', second, '--from', first);
    expect(plan.code, plan.stderr).toBe(0);
    const rows = plan.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^FILE\s+SIZE\s+CHUNKS\s+NEED\s+TO FETCH\s+REUSED$/);
    expect(rows[1]).toMatch(/^initrd\.img\s+39\.1 KiB\s+\d+\s+0\s+0 B\s+39\.1 KiB$/);
    const kernel = rows[2]!.split(/\s{2,}/);
    expect(kernel[0]).toBe('vmlinuz');
    expect(Number(kernel[3])).toBeGreaterThan(0);
    expect(Number(kernel[3])).toBeLessThan(Number(kernel[2]));
    expect(rows.at(-1)).toMatch(
      /^to fetch: \d+ chunks?, [\d.]+ KiB stored; reused [\d.]+ KiB of [\d.]+ KiB \(\d+\.\d%\)$/,
    );
  });

  it('revoke: the release leaves its channels and verify reports it gone (410)', async () => {
    const revoked = await muster('releases', 'revoke', first, '--reason', 'cli test');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`release ${first}: revoked\n`);
    const verify = await muster('releases', 'verify', first, '--key', key);
    expect(verify.code).toBe(4);
    expect(verify.stdout).toContain(
      `✗ document: refused (gone): release ${first} is revoked: the store serves no document for it (410 Gone)`,
    );
    expect(verify.stderr).toBe(`muster: release ${first} refused (gone)\n`);
    expect((await muster('releases', 'show', first)).stdout).toMatch(/^state\s+revoked at \S+: cli test$/m);
  });

  it('gc --dry-run: a report, nothing removed', async () => {
    const gc = await muster('gc', '--dry-run');
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(/^dry run\s+nothing removed$/m);
    expect(gc.stdout).toMatch(/^chunks would remove\s+\d+$/m);
    expect((await muster('--json', 'releases', 'ls', '--image', 'cli-till')).stdout).toContain(first);
  });
});
