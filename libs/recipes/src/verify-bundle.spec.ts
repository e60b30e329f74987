import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bundleDigest } from './bundle-digest.js';
import { RecipeInvalidError, type RecipeProblem } from './recipe-problem.js';
import type { RecipeBundle } from './recipe-bundle.schema.js';
import { verifyBundle } from './verify-bundle.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const b64 = (text: string) => Buffer.from(text).toString('base64');

function bundle(): RecipeBundle {
  return {
    format: 'muster.recipe-bundle.v1',
    recipe: {
      name: 'till',
      version: '2',
      layers: [{ name: 'till', version: '2' }],
      suite: 'bookworm',
      architecture: 'amd64',
      mirror: 'http://deb.debian.org/debian',
      components: ['main'],
      variant: 'minbase',
      packages: { install: ['cups'], remove: [] },
      files: [{ path: '/etc/motd', mode: '0644', owner: 'root', blob: sha('motd\n') }],
      overlays: [{ files: [{ path: 'etc/till.conf', mode: '0600', blob: sha('conf\n') }] }],
      users: [],
      services: { enable: ['cups'], disable: [] },
      scripts: [{ name: 'brand', blob: sha('echo brand\n') }],
      kernel: { package: 'linux-image-amd64', cmdline: '' },
      outputs: ['squashfs'],
    },
    blobs: {
      [sha('motd\n')]: b64('motd\n'),
      [sha('conf\n')]: b64('conf\n'),
      [sha('echo brand\n')]: b64('echo brand\n'),
    },
  };
}

function problems(input: unknown): RecipeProblem[] {
  try {
    verifyBundle(input);
  } catch (err) {
    if (err instanceof RecipeInvalidError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the bundle to be refused');
}

const at = (field: string, message: string | RegExp): unknown =>
  expect.objectContaining({
    file: 'bundle',
    line: 0,
    column: 0,
    field,
    message: expect.stringMatching(message) as unknown,
  });

describe('verifyBundle', () => {
  it('accepts a whole bundle; its digest does not depend on the order of keys', () => {
    const good = bundle();
    const { digest } = verifyBundle(good);
    expect(digest).toBe(bundleDigest(good.recipe));
    const reordered = Object.fromEntries(Object.entries(good.recipe).reverse()) as RecipeBundle['recipe'];
    expect(verifyBundle({ ...good, recipe: reordered }).digest).toBe(digest);
    expect(verifyBundle({ ...good, recipe: { ...good.recipe, hostname: 'till' } }).digest).not.toBe(digest);
  });

  it('refuses a tampered blob: bytes that do not hash to its name', () => {
    const tampered = bundle();
    tampered.blobs[sha('conf\n')] = b64('conf with a backdoor\n');
    expect(problems(tampered)).toEqual([
      at(`blobs.${sha('conf\n')}`, `^its bytes hash to ${sha('conf with a backdoor\n')}$`),
    ]);
  });

  it('refuses a blob the recipe does not use, and a blob it names that is missing', () => {
    const extra = bundle();
    extra.blobs[sha('spare\n')] = b64('spare\n');
    expect(problems(extra)).toEqual([at(`blobs.${sha('spare\n')}`, '^not used by the recipe$')]);
    const missing = bundle();
    delete missing.blobs[sha('echo brand\n')];
    expect(problems(missing)).toEqual([
      at('recipe.scripts[0].blob', `^blob ${sha('echo brand\n')} is not in the bundle$`),
    ]);
  });

  it('refuses a bad shape with the path of each field, and formats it without a line', () => {
    const bad = bundle() as unknown as { recipe: Record<string, unknown>; extra?: unknown };
    bad.recipe['files'] = [{ path: '/etc/motd', mode: '644', owner: 'root', blob: sha('motd\n') }];
    bad.recipe['overlays'] = [{ files: [{ path: '../etc/passwd', mode: '0644', blob: sha('conf\n') }] }];
    bad.recipe['packageSet'] = 'not-a-build';
    bad.extra = 1;
    const found = problems(bad);
    expect(found).toEqual(
      expect.arrayContaining([
        at('recipe.files[0].mode', 'four octal digits'),
        at('recipe.overlays[0].files[0].path', 'a relative path'),
        at('recipe.packageSet', 'a build id'),
        at('extra', '^unknown key "extra"$'),
      ]),
    );
    expect(found).toHaveLength(4);
    expect(new RecipeInvalidError([found[0]!]).message).toMatch(/^bundle: [a-z.[\]0-9]+: /);
    expect(problems({ ...bundle(), format: 'muster.recipe-bundle.v2' })).toEqual([
      at('format', 'muster.recipe-bundle.v1'),
    ]);
  });
});
