import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildImage, GEN_DIR, GENERATED_HEADER, withTempDir } from './build.ts';
import { checkBreaking, checkDrift, checkFormat, checkPublished, runChecks } from './checks.ts';
import { regenerate } from './codegen.ts';
import { PUBLISHED_DIR, regeneratePublished } from './published.ts';
import { toolRoot } from './toolchain.ts';

// Runs the real tools (protoc, protoc-gen-es, buf, git) on throw-away repositories made from a
// copy of this repository's proto/ and contracts table (libs/contracts, for the catalogue).

const EVENTS = 'proto/muster/inventory/v1/machine_events.proto';
const FIELD = '  bool rediscovered = 8;\n';

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' },
  );
}

function makeRepo(withProto: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'muster-contracts-test-'));
  git(root, 'init', '-q', '-b', 'main');
  cpSync(join(toolRoot, 'buf.yaml'), join(root, 'buf.yaml'));
  if (withProto) {
    cpSync(join(toolRoot, 'proto'), join(root, 'proto'), { recursive: true });
    cpSync(join(toolRoot, 'package.json'), join(root, 'package.json'));
    cpSync(join(toolRoot, 'libs/contracts'), join(root, 'libs/contracts'), { recursive: true });
    symlinkSync(join(toolRoot, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, '.gitignore'), 'node_modules\n');
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '--allow-empty', '-m', 'base');
  return root;
}

function edit(root: string, file: string, change: (text: string) => string): void {
  const path = join(root, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
}

function breaking(root: string, against?: string): ReturnType<typeof checkBreaking> {
  return withTempDir('test-image', (work) => {
    const image = join(work, 'image.binpb');
    buildImage(join(root, 'proto'), image, work);
    return checkBreaking(root, image, against);
  });
}

// Each case runs protoc, buf and a child Node several times: far past the unit default of 5 s.
describe('contracts checks', { timeout: 120_000 }, () => {
  let root: string;
  let generated: string;
  const repos: string[] = [];

  beforeAll(() => {
    root = makeRepo(true);
    repos.push(root);
    regenerate(root);
    regeneratePublished(root);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'generated');
    generated = git(root, 'rev-parse', 'HEAD').trim();
  });

  beforeEach(() => {
    git(root, 'reset', '-q', '--hard', generated);
    git(root, 'clean', '-q', '-fd');
  });

  afterAll(() => {
    for (const dir of repos) rmSync(dir, { recursive: true, force: true });
  });

  it('pass on a clean copy, and regenerating changes nothing', () => {
    const results = runChecks(root);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.step)).toEqual(['format', 'build', 'lint', 'breaking', 'drift', 'published']);
    expect(regenerate(root)).toEqual({ stale: [], missing: [], extra: [] });
    expect(regeneratePublished(root)).toEqual({ stale: [], missing: [], extra: [] });
  });

  it('find a stale generated file and name it and the fix', () => {
    edit(root, `${GEN_DIR}/muster/agent/v1/heartbeat_pb.ts`, (text) =>
      text.replace('agentId: string;', 'agentId: number;'),
    );
    const result = checkDrift(root);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('npm run contracts:gen');
    expect(result.details).toBe(`${GEN_DIR}/muster/agent/v1/heartbeat_pb.ts (differs)`);
  });

  it('find generated files that are missing or left over', () => {
    rmSync(join(root, GEN_DIR, 'muster/image/v1/release_pb.ts'));
    writeFileSync(join(root, GEN_DIR, 'muster/image/v1/old_pb.ts'), GENERATED_HEADER);
    const result = checkDrift(root);
    expect(result.ok).toBe(false);
    expect(result.details).toContain(`${GEN_DIR}/muster/image/v1/release_pb.ts (missing)`);
    expect(result.details).toContain(`${GEN_DIR}/muster/image/v1/old_pb.ts (should not exist)`);
    expect(regenerate(root)).toEqual({
      stale: [],
      missing: ['muster/image/v1/release_pb.ts'],
      extra: ['muster/image/v1/old_pb.ts'],
    });
    expect(checkDrift(root).ok).toBe(true);
  });

  it('find a proto change that was not regenerated', () => {
    edit(root, EVENTS, (text) => text.replace(FIELD, `${FIELD}  string note = 99;\n`));
    const result = checkDrift(root);
    expect(result.ok).toBe(false);
    expect(result.details).toBe(`${GEN_DIR}/muster/inventory/v1/machine_events_pb.ts (differs)`);
  });

  it('fail when a field is removed against HEAD (uncommitted change)', () => {
    edit(root, EVENTS, (text) => text.replace(FIELD, ''));
    const result = breaking(root);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('against HEAD');
    expect(result.details).toMatch(/"rediscovered".*deleted|deleted.*"rediscovered"/);
  });

  it('fail when a field is removed against HEAD~1 (the last commit)', () => {
    edit(root, EVENTS, (text) => text.replace(FIELD, ''));
    git(root, 'commit', '-q', '-am', 'drop a field');
    const result = breaking(root);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('against HEAD~1');
  });

  it('pass when a field is added', () => {
    edit(root, EVENTS, (text) => text.replace(FIELD, `${FIELD}  string note = 99;\n`));
    const result = breaking(root);
    expect(result).toMatchObject({ ok: true, message: 'no breaking changes against HEAD' });
  });

  it('use the base revision asked for', () => {
    edit(root, EVENTS, (text) => text.replace(FIELD, ''));
    git(root, 'commit', '-q', '-am', 'drop a field');
    expect(breaking(root, 'HEAD').ok).toBe(true);
    expect(breaking(root, 'HEAD~1').ok).toBe(false);
    expect(() => breaking(root, 'no-such-rev')).toThrow(/base revision no-such-rev does not exist/);
  });

  it('pass, saying so, when the base has no proto/', () => {
    const fresh = makeRepo(false);
    repos.push(fresh);
    cpSync(join(toolRoot, 'proto'), join(fresh, 'proto'), { recursive: true });
    git(fresh, 'add', '-A');
    git(fresh, 'commit', '-q', '-m', 'add proto');
    expect(breaking(fresh)).toMatchObject({
      ok: true,
      message: 'base HEAD~1 has no proto/: nothing to compare',
    });
  });

  it('find a hand edit of the published catalogue', () => {
    edit(root, `${PUBLISHED_DIR}/asyncapi.yaml`, (text) =>
      text.replace('maxAgeSeconds: 86400', 'maxAgeSeconds: 1'),
    );
    const result = checkPublished(root);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('npm run contracts:gen');
    expect(result.details).toBe(`${PUBLISHED_DIR}/asyncapi.yaml (differs)`);
  });

  it('find a proto change missing from the descriptor set, and a table change missing from the catalogue', () => {
    edit(root, EVENTS, (text) => text.replace(FIELD, `${FIELD}  string note = 99;\n`));
    edit(root, 'libs/contracts/src/streams.ts', (text) =>
      text.replace('maxAgeSeconds: 14 * DAY', 'maxAgeSeconds: 15 * DAY'),
    );
    expect(checkPublished(root).details).toBe(
      `${PUBLISHED_DIR}/asyncapi.yaml (differs)\n${PUBLISHED_DIR}/muster.binpb (differs)`,
    );
    expect(regeneratePublished(root).stale).toEqual(['asyncapi.yaml', 'muster.binpb']);
    expect(readFileSync(join(root, PUBLISHED_DIR, 'asyncapi.yaml'), 'utf8')).toContain(
      'maxAgeSeconds: 1296000',
    );
    expect(checkPublished(root).ok).toBe(true);
  });

  it('find unformatted proto files', () => {
    edit(root, EVENTS, (text) => text.replace(FIELD, '  bool   rediscovered=8;\n'));
    const result = checkFormat(root);
    expect(result.ok).toBe(false);
    expect(result.details).toContain('machine_events.proto');
  });

  it('report every failing step at once', () => {
    edit(root, EVENTS, (text) => text.replace(FIELD, '  bool   rediscovered=8;\n'));
    edit(root, `${GEN_DIR}/index.ts`, (text) => `${text}// hand edit\n`);
    const failed = runChecks(root).filter((r) => !r.ok);
    // The descriptor set keeps source positions, so reformatting shows there too.
    expect(failed.map((r) => r.step)).toEqual(['format', 'drift', 'published']);
  });
});
