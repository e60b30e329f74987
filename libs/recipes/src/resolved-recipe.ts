import { dirname, resolve } from 'node:path';
import type { RecipeDocument } from './recipe-document.js';
import { RecipeInvalidError, type RecipeProblem } from './recipe-problem.js';
import { DEBIAN_SUITES, type RecipeFile } from './recipe.schema.js';

type File = NonNullable<RecipeFile['files']>[number];
type User = NonNullable<RecipeFile['users']>[number];
type Script = NonNullable<RecipeFile['scripts']>[number];

/** What a build makes: every layer of the `extends:` chain combined, paths made absolute. */
export interface ResolvedRecipe {
  name: string;
  version: string;
  /** Base first: the file, name and version of each layer. */
  layers: { file: string; name: string; version: string }[];
  suite: NonNullable<RecipeFile['suite']>;
  architecture: NonNullable<RecipeFile['architecture']>;
  mirror: string;
  components: NonNullable<RecipeFile['components']>;
  variant: NonNullable<RecipeFile['variant']>;
  /** Build from the package set kept by this earlier build (its id). */
  packageSet?: string;
  packages: { install: string[]; remove: string[] };
  files: (Omit<File, 'source'> & { source?: string })[];
  overlays: string[];
  users: User[];
  hostname?: string;
  services: { enable: string[]; disable: string[] };
  scripts: (Omit<Script, 'source'> & { source?: string })[];
  kernel: { package: string; cmdline: string };
  outputs: NonNullable<RecipeFile['outputs']>;
}

/** The fields of the base layer: a layer on top may repeat them, never change them. */
const BASE_FIELDS = ['suite', 'architecture', 'mirror', 'components', 'variant'] as const;
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/**
 * Combines a chain, base first:
 * - `suite`, `architecture`, `mirror`, `components`, `variant` belong to the base layer (a layer
 *   that changes one is refused: its base could not be reused);
 * - `packages.install`, `packages.remove`, `services.enable|disable`: unions, in order;
 *   a package a layer installs is no longer removed, and the other way round;
 * - `files`, `overlays`, `users`, `scripts`: the base's first, then each layer's; a later file
 *   at the same path, or user of the same name, replaces the earlier one;
 * - `hostname`, `kernel.package`, `kernel.cmdline`, `outputs`, `packageSet`: the top-most layer
 *   that sets one.
 * `name` and `version` are the top layer's own.
 */
export function resolveRecipe(chain: readonly RecipeDocument[]): ResolvedRecipe {
  const problems: RecipeProblem[] = [];
  const [base] = chain;
  if (!base) throw new TypeError('an empty recipe chain');
  for (const doc of chain.slice(1)) {
    for (const field of BASE_FIELDS) {
      const mine = doc.recipe[field];
      if (mine !== undefined && JSON.stringify(mine) !== JSON.stringify(base.recipe[field])) {
        problems.push(
          doc.problemAt([field], `belongs to the base layer (${base.file}): a layer on top cannot change it`),
        );
      }
    }
  }
  const suite = base.recipe.suite;
  if (!suite) problems.push(base.problemAt(['suite'], 'is required in the base layer'));
  if (!base.recipe.architecture)
    problems.push(base.problemAt(['architecture'], 'is required in the base layer'));
  const isDebian = (DEBIAN_SUITES as readonly string[]).includes(suite ?? '');
  if (suite && !isDebian && !base.recipe.mirror) {
    problems.push(base.problemAt(['suite'], `${suite} needs a mirror that serves it (mirror:)`));
  }
  if (problems.length > 0) throw new RecipeInvalidError(problems);

  const top = chain[chain.length - 1]!;
  const install: string[] = [];
  const remove: string[] = [];
  const enable: string[] = [];
  const disable: string[] = [];
  const files = new Map<string, ResolvedRecipe['files'][number]>();
  const users = new Map<string, User>();
  const overlays: string[] = [];
  const scripts: ResolvedRecipe['scripts'] = [];
  let hostname: string | undefined;
  let kernelPackage: string | undefined;
  let cmdline: string | undefined;
  let outputs: ResolvedRecipe['outputs'] | undefined;
  let packageSet: string | undefined;
  const add = (list: string[], other: string[], item: string) => {
    if (!list.includes(item)) list.push(item);
    const at = other.indexOf(item);
    if (at >= 0) other.splice(at, 1);
  };
  for (const { file, recipe } of chain) {
    const here = (p: string) => resolve(dirname(file), p);
    for (const p of recipe.packages?.install ?? []) add(install, remove, p);
    for (const p of recipe.packages?.remove ?? []) add(remove, install, p);
    for (const s of recipe.services?.enable ?? []) add(enable, disable, s);
    for (const s of recipe.services?.disable ?? []) add(disable, enable, s);
    for (const f of recipe.files ?? []) {
      files.delete(f.path);
      files.set(f.path, f.source === undefined ? f : { ...f, source: here(f.source) });
    }
    for (const u of recipe.users ?? []) {
      users.delete(u.name);
      users.set(u.name, u);
    }
    for (const o of recipe.overlays ?? []) overlays.push(here(o));
    for (const s of recipe.scripts ?? [])
      scripts.push(s.source === undefined ? s : { ...s, source: here(s.source) });
    hostname = recipe.hostname ?? hostname;
    kernelPackage = recipe.kernel?.package ?? kernelPackage;
    cmdline = recipe.kernel?.cmdline ?? cmdline;
    outputs = recipe.outputs ?? outputs;
    packageSet = recipe.packageSet ?? packageSet;
  }
  const architecture = base.recipe.architecture!;
  return {
    name: top.recipe.name,
    version: top.recipe.version,
    layers: chain.map((d) => ({ file: d.file, name: d.recipe.name, version: d.recipe.version })),
    suite: suite!,
    architecture,
    mirror: base.recipe.mirror ?? DEBIAN_MIRROR,
    components: base.recipe.components ?? ['main'],
    variant: base.recipe.variant ?? 'minbase',
    packages: { install, remove },
    files: [...files.values()],
    overlays,
    users: [...users.values()],
    ...(hostname === undefined ? {} : { hostname }),
    services: { enable, disable },
    scripts,
    kernel: { package: kernelPackage ?? `linux-image-${architecture}`, cmdline: cmdline ?? '' },
    outputs: outputs ?? ['squashfs', 'netboot'],
    ...(packageSet === undefined ? {} : { packageSet }),
  };
}
