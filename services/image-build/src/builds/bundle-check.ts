import { RecipeInvalidError, verifyBundle, type BundledRecipe, type RecipeBundle } from '@muster/recipes';

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

/** `recipe.files[0].blob` (the recipes library's spelling) as the body's field `bundle.recipe.files.0.blob`. */
export const bodyField = (field: string): string => `bundle.${field.replace(/\[(\d+)\]/g, '.$1')}`;

/**
 * What the schema alone cannot see (`verifyBundle`): every blob the recipe (and its base) names
 * is in the bundle, hashing to its name, and no other is. Returns the recipe digest — computed
 * here, never taken from the client — and the blobs' bytes; or the problems, named as body fields.
 */
export function checkBundle(bundle: RecipeBundle): CheckedBundle | BundleProblem[] {
  try {
    const { digest } = verifyBundle(bundle);
    const blobs = new Map(
      Object.entries(bundle.blobs).map(([sha, b64]) => [sha, Buffer.from(b64, 'base64')]),
    );
    return { recipeDigest: digest, blobs };
  } catch (err) {
    if (!(err instanceof RecipeInvalidError)) throw err;
    return err.problems.map((p) => ({ name: bodyField(p.field), reason: p.message }));
  }
}

/** The blobs a recipe (and its base) names, what a worker loads before it builds. */
export function recipeBlobs(recipe: BundledRecipe): string[] {
  const found = new Set<string>();
  for (const layer of [recipe, ...(recipe.base ? [recipe.base] : [])]) {
    for (const f of layer.files) if (f.blob) found.add(f.blob);
    for (const o of layer.overlays) for (const f of o.files) found.add(f.blob);
    for (const s of layer.scripts) if (s.blob) found.add(s.blob);
  }
  return [...found];
}
