import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRecipe } from './load-recipe.js';
import { verifyBundle } from './verify-bundle.js';
import { RecipeInvalidError, type RecipeProblem } from './recipe-problem.js';

async function dir(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'muster-recipes-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), text);
  }
  return root;
}

async function problems(path: string): Promise<RecipeProblem[]> {
  try {
    await loadRecipe(path);
  } catch (err) {
    if (err instanceof RecipeInvalidError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the recipe to be refused');
}

const BASE = `name: base
version: "1.0"
suite: bookworm
architecture: amd64
components: [main, non-free-firmware]
packages:
  install: [systemd-sysv, openssh-server, vim-tiny]
users:
  - name: ops
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA ops@example"]
kernel:
  cmdline: console=ttyS0
`;

describe('a recipe and its extends: chain', () => {
  it('combines the base and a layer: unions of packages, later files and users win, top-most scalars', async () => {
    const root = await dir({
      'base.yaml': BASE,
      'files/motd': 'welcome\n',
      'overlay/etc/issue': 'Till\n',
      'till.yaml': `name: till
version: "2.1"
extends: base.yaml
packages:
  install: [cups]
  remove: [vim-tiny]
files:
  - path: /etc/motd
    source: files/motd
overlays: [overlay]
hostname: till
services:
  enable: [cups]
kernel:
  cmdline: console=ttyS0 quiet
outputs: [squashfs, disk]
`,
    });
    const { recipe, bundle, digest } = await loadRecipe(join(root, 'till.yaml'));
    expect(recipe).toMatchObject({
      name: 'till',
      version: '2.1',
      suite: 'bookworm',
      architecture: 'amd64',
      mirror: 'http://deb.debian.org/debian',
      components: ['main', 'non-free-firmware'],
      variant: 'minbase',
      packages: { install: ['systemd-sysv', 'openssh-server', 'cups'], remove: ['vim-tiny'] },
      files: [{ path: '/etc/motd', source: join(root, 'files/motd'), mode: '0644', owner: 'root' }],
      overlays: [join(root, 'overlay')],
      users: [{ name: 'ops', shell: '/bin/bash' }],
      hostname: 'till',
      services: { enable: ['cups'], disable: [] },
      kernel: { package: 'linux-image-amd64', cmdline: 'console=ttyS0 quiet' },
      outputs: ['squashfs', 'disk'],
    });
    expect(recipe.layers.map((l) => l.name)).toEqual(['base', 'till']);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    // The base layer travels alone beside the merged recipe, so image-build can cache it.
    expect(bundle.recipe.base).toMatchObject({
      name: 'base',
      packages: { install: ['systemd-sysv', 'openssh-server', 'vim-tiny'], remove: [] },
      overlays: [],
    });
    expect(verifyBundle(JSON.parse(JSON.stringify(bundle))).digest).toBe(digest);
    const single = await loadRecipe(join(root, 'base.yaml'));
    expect(single.bundle.recipe.base).toBeUndefined();
  });

  it('gives the same digest for the same recipe in another directory, another when a copied file changes', async () => {
    const files = {
      'base.yaml': BASE,
      'files/motd': 'one\n',
      'r.yaml': `name: r\nversion: "1"\nextends: base.yaml\nfiles:\n  - path: /etc/motd\n    source: files/motd\n`,
    };
    const a = await loadRecipe(join(await dir(files), 'r.yaml'));
    const b = await loadRecipe(join(await dir(files), 'r.yaml'));
    const c = await loadRecipe(join(await dir({ ...files, 'files/motd': 'two\n' }), 'r.yaml'));
    expect(a.digest).toBe(b.digest);
    expect(c.digest).not.toBe(a.digest);
  });

  it('packageSet: the top-most layer that sets one wins; the bundle and the digest carry it', async () => {
    const A = '0b7a3c1e-2f4d-4e5a-9b6c-7d8e9f0a1b2c';
    const B = '1c8b4d2f-3a5e-4f6b-8c7d-8e9fa0b1c2d3';
    const root = await dir({
      'base.yaml': `${BASE}packageSet: ${A}\n`,
      'mid.yaml': 'name: mid\nversion: "1"\nextends: base.yaml\n',
      'top.yaml': `name: top\nversion: "1"\nextends: mid.yaml\npackageSet: ${B}\n`,
      'plain.yaml': BASE,
      'bad.yaml': 'name: bad\nversion: "1"\nextends: base.yaml\npackageSet: last-week\n',
    });
    const top = await loadRecipe(join(root, 'top.yaml'));
    expect(top.recipe.packageSet).toBe(B);
    expect(top.bundle.recipe.packageSet).toBe(B);
    const mid = await loadRecipe(join(root, 'mid.yaml'));
    expect(mid.recipe.packageSet).toBe(A);
    const plain = await loadRecipe(join(root, 'plain.yaml'));
    expect(plain.bundle.recipe).not.toHaveProperty('packageSet');
    expect(new Set([top.digest, mid.digest, plain.digest]).size).toBe(3);
    expect(await problems(join(root, 'bad.yaml'))).toEqual([
      expect.objectContaining({ line: 4, column: 1, field: 'packageSet', message: 'a build id (a UUID)' }),
    ]);
  });

  it('refuses an unknown key, a bad type and a missing field with the file, line and field', async () => {
    const root = await dir({
      'bad.yaml': `name: bad
version: "1"
suite: bookworm
architecture: amd64
packges:
  install: [vim]
hostname: 42
users:
  - name: ops
    password: hunter2
`,
    });
    const file = join(root, 'bad.yaml');
    expect(await problems(file)).toEqual(
      expect.arrayContaining([
        { file, line: 5, column: 1, field: 'packges', message: 'unknown key "packges"' },
        expect.objectContaining({ file, line: 7, column: 1, field: 'hostname' }),
        { file, line: 10, column: 5, field: 'users[0].password', message: 'unknown key "password"' },
      ]),
    );
    const noVersion = await dir({ 'r.yaml': 'name: r\nsuite: bookworm\narchitecture: amd64\n' });
    expect(await problems(join(noVersion, 'r.yaml'))).toEqual([
      expect.objectContaining({ field: 'version', message: 'is required' }),
    ]);
  });

  it('refuses a service that is not a unit name and an owner that is not an account name', async () => {
    const root = await dir({
      'r.yaml': `${BASE}services:\n  enable: ["cups; reboot"]\nfiles:\n  - path: /etc/x\n    content: x\n    owner: "root:root"\n`,
    });
    const found = await problems(join(root, 'r.yaml'));
    expect(found).toHaveLength(2);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          line: 14,
          field: 'services.enable[0]',
          message: expect.stringMatching(/unit name/) as unknown,
        }),
        expect.objectContaining({ line: 18, field: 'files[0].owner', message: 'a user or group name' }),
      ]),
    );
  });

  it('refuses a cycle in extends:, at the extends line that closes it', async () => {
    const root = await dir({
      'a.yaml': 'name: a\nversion: "1"\nextends: b.yaml\n',
      'b.yaml': 'name: b\nversion: "1"\nsuite: bookworm\narchitecture: amd64\nextends: a.yaml\n',
    });
    const [p] = await problems(join(root, 'a.yaml'));
    expect(p).toMatchObject({ file: join(root, 'b.yaml'), line: 5, field: 'extends' });
    expect(p!.message).toBe(
      `extends forms a cycle: ${join(root, 'a.yaml')} → ${join(root, 'b.yaml')} → ${join(root, 'a.yaml')}`,
    );
  });

  it('refuses a missing extends: target, a missing source file and a missing overlay', async () => {
    const root = await dir({
      'r.yaml': 'name: r\nversion: "1"\nextends: nowhere.yaml\n',
      'f.yaml': `name: f
version: "1"
suite: bookworm
architecture: amd64
files:
  - path: /etc/x
    source: missing.txt
overlays: [no-dir]
`,
    });
    expect(await problems(join(root, 'r.yaml'))).toEqual([
      expect.objectContaining({
        line: 3,
        field: 'extends',
        message: `${join(root, 'nowhere.yaml')}: no such file`,
      }),
    ]);
    expect(await problems(join(root, 'f.yaml'))).toEqual([
      expect.objectContaining({
        line: 7,
        field: 'files[0].source',
        message: `no such file: ${join(root, 'missing.txt')}`,
      }),
      expect.objectContaining({
        line: 8,
        field: 'overlays[0]',
        message: `no such directory: ${join(root, 'no-dir')}`,
      }),
    ]);
  });

  it('refuses a layer that changes the base layer’s suite, and a base without an architecture', async () => {
    const root = await dir({
      'base.yaml': BASE,
      'l.yaml': 'name: l\nversion: "1"\nextends: base.yaml\nsuite: trixie\narchitecture: amd64\n',
      'b.yaml': 'name: b\nversion: "1"\nsuite: trixie\n',
    });
    expect(await problems(join(root, 'l.yaml'))).toEqual([
      expect.objectContaining({ file: join(root, 'l.yaml'), line: 4, field: 'suite' }),
    ]);
    expect(await problems(join(root, 'b.yaml'))).toEqual([
      expect.objectContaining({ field: 'architecture', message: 'is required in the base layer' }),
    ]);
  });

  it('refuses malformed YAML with its position', async () => {
    const root = await dir({ 'y.yaml': 'name: y\nversion: "1\n' });
    const [p] = await problems(join(root, 'y.yaml'));
    expect(p).toMatchObject({ file: join(root, 'y.yaml'), field: '' });
    expect(p!.line).toBeGreaterThanOrEqual(2);
  });
});
