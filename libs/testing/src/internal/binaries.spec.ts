import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingBinaryError } from '../errors.js';
import { DEBIAN_PACKAGE_OF, findBinary, postgresBinDir, requireBinary } from './binaries.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'muster-bin-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fakeExecutable(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n', { mode: 0o755 });
}

describe('requireBinary', () => {
  it('finds a binary in an extra directory before PATH', async () => {
    await fakeExecutable(join(root, 'extra', 'sh'));
    expect(requireBinary('sh', [join(root, 'extra')])).toBe(join(root, 'extra', 'sh'));
  });

  it('names the missing binary and the exact fix', () => {
    const attempt = () => requireBinary('radosgw-admin-that-does-not-exist');
    expect(attempt).toThrow(MissingBinaryError);
    expect(attempt).toThrow(/radosgw-admin-that-does-not-exist is not installed/);
    expect(attempt).toThrow(/run: sudo bash scripts\/setup\.sh/);
    expect(attempt).toThrow(
      /sudo apt-get install -y --no-install-recommends radosgw-admin-that-does-not-exist/,
    );
  });

  it('suggests the Debian package that ships the binary', () => {
    expect(DEBIAN_PACKAGE_OF['ceph-authtool']).toBe('ceph-mon');
    const err = new MissingBinaryError('ceph-osd', 'ceph-osd', ['PATH']);
    expect(err.message).toContain('apt-get install -y --no-install-recommends ceph-osd');
    expect(err.binary).toBe('ceph-osd');
  });

  it('does not treat a non-executable file as the binary', async () => {
    await writeFile(join(root, 'not-exec'), 'x', { mode: 0o644 });
    expect(findBinary('not-exec', [root])).toBeUndefined();
  });
});

describe('postgresBinDir', () => {
  it('prefers PostgreSQL 15', async () => {
    const pg = join(root, 'pg-a');
    await fakeExecutable(join(pg, '15', 'bin', 'postgres'));
    await fakeExecutable(join(pg, '17', 'bin', 'postgres'));
    expect(postgresBinDir(pg)).toBe(join(pg, '15', 'bin'));
  });

  it('falls back to the newest installed major', async () => {
    const pg = join(root, 'pg-b');
    await fakeExecutable(join(pg, '9', 'bin', 'postgres'));
    await fakeExecutable(join(pg, '16', 'bin', 'postgres'));
    expect(postgresBinDir(pg)).toBe(join(pg, '16', 'bin'));
  });
});
