import { createHash } from 'node:crypto';
import type { BundledLayer, BundledRecipe, RecipeBundle } from '@muster/recipes';
import { recipeDigestOf } from './recipe-digest.js';

/** A field of the submitted body that is wrong, named from the body's root. */
export interface BundleProblem {
  name: string;
  reason: string;
}

export interface CheckedBundle {
  recipeDigest: string;
  /** Every blob the recipe names, its bytes hashing to its name. */
  blobs: Map<string, Buffer>;
}

/** The recipe and, when it has one, its base layer, each with the path it has in the body. */
function layersOf(recipe: BundledRecipe): [BundledLayer, string][] {
  return [
    [recipe, 'bundle.recipe'],
    ...(recipe.base ? [[recipe.base, 'bundle.recipe.base'] as [BundledLayer, string]] : []),
  ];
}

/** Blobs the recipe (and its base) names, each with where it is first named (for a problem). */
export function namedBlobs(recipe: BundledRecipe): Map<string, string> {
  const named = new Map<string, string>();
  const add = (sha: string | undefined, where: string) => {
    if (sha !== undefined && !named.has(sha)) named.set(sha, where);
  };
  for (const [layer, at] of layersOf(recipe)) {
    layer.files.forEach((f, i) => add(f.blob, `${at}.files.${i}.blob`));
    layer.overlays.forEach((o, i) =>
      o.files.forEach((f, j) => add(f.blob, `${at}.overlays.${i}.files.${j}.blob`)),
    );
    layer.scripts.forEach((s, i) => add(s.blob, `${at}.scripts.${i}.blob`));
  }
  return named;
}

/**
 * What the schema cannot see: each file and script (of the recipe and of its base) has exactly
 * one of its text and its blob;
 * every blob the recipe names is in the bundle and nothing else is; each blob's bytes hash to
 * its name. Returns the recipe digest (computed here, never taken from the client) and the blobs.
 */
export function checkBundle(bundle: RecipeBundle): CheckedBundle | BundleProblem[] {
  const problems: BundleProblem[] = [];
  const { recipe } = bundle;
  for (const [layer, at] of layersOf(recipe)) {
    layer.files.forEach((f, i) => {
      if ((f.content === undefined) === (f.blob === undefined))
        problems.push({ name: `${at}.files.${i}`, reason: 'needs exactly one of content and blob' });
    });
    layer.scripts.forEach((s, i) => {
      if ((s.run === undefined) === (s.blob === undefined))
        problems.push({ name: `${at}.scripts.${i}`, reason: 'needs exactly one of run and blob' });
    });
  }
  const named = namedBlobs(recipe);
  for (const [sha, where] of named) {
    if (!Object.hasOwn(bundle.blobs, sha))
      problems.push({ name: where, reason: `blob ${sha} is not in bundle.blobs` });
  }
  const blobs = new Map<string, Buffer>();
  for (const [sha, base64] of Object.entries(bundle.blobs)) {
    const name = `bundle.blobs.${sha}`;
    if (!named.has(sha)) {
      problems.push({ name, reason: 'is not named by the recipe' });
      continue;
    }
    const bytes = Buffer.from(base64, 'base64');
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha) problems.push({ name, reason: `its bytes hash to ${actual}, not to its name` });
    else blobs.set(sha, bytes);
  }
  if (problems.length > 0) return problems;
  return { recipeDigest: recipeDigestOf(recipe), blobs };
}
