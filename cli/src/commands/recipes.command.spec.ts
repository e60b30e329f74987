import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';

async function run(cwd: string, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: {},
    cwd,
    home: cwd,
    signal: new AbortController().signal,
    fetch: (() => Promise.reject(new Error('no network for a local check'))) as unknown as typeof fetch,
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('muster recipes validate', () => {
  it('checks a recipe and its chain on this machine: a summary and the digest, no API needed', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'muster-cli-recipes-'));
    await writeFile(
      join(cwd, 'base.yaml'),
      'name: base\nversion: "1"\nsuite: bookworm\narchitecture: arm64\n',
    );
    await writeFile(
      join(cwd, 'till.yaml'),
      'name: till\nversion: "2"\nextends: base.yaml\npackages:\n  install: [cups]\n',
    );
    const ok = await run(cwd, ['recipes', 'validate', 'till.yaml']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^till 2: valid\nlayers +base 1 → till 2\nsystem +bookworm arm64 \(minbase\)/);
    expect(ok.out).toMatch(/\nbundle +0 files, [0-9.]+ (B|KiB)\ndigest +[0-9a-f]{64}\n$/);
    const json = await run(cwd, ['--json', 'recipes', 'validate', 'till.yaml']);
    const parsed = JSON.parse(json.out) as { digest: string; recipe: { name: string } };
    expect(parsed.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(ok.out).toContain(parsed.digest);
    expect(parsed.recipe.name).toBe('till');
  });

  it('prints every problem as file:line:column: field: message and exits 1', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'muster-cli-recipes-'));
    await writeFile(
      join(cwd, 'bad.yaml'),
      'name: bad\nversion: "1"\nsuite: bookworm\narchitecture: amd64\nhostnme: x\n',
    );
    const bad = await run(cwd, ['recipes', 'validate', 'bad.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(`${join(cwd, 'bad.yaml')}:5:1: hostnme: unknown key "hostnme"\n`);
  });
});
