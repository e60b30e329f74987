import { bundleDigest } from './bundle-digest.js';
import { bundleRecipe } from './bundle-recipe.js';
import { loadRecipeChain } from './recipe-chain.js';
import type { RecipeBundle } from './recipe-bundle.schema.js';
import { checkRecipeSources } from './recipe-sources.js';
import { resolveRecipe, type ResolvedRecipe } from './resolved-recipe.js';

/**
 * A recipe file and its `extends:` chain, validated (every problem names the file, line and
 * field), combined, bundled with the files it copies, and its digest — the digest image-build
 * computes from the same bundle (`verifyBundle`). What `muster recipes validate` and
 * `muster builds submit` run.
 */
export async function loadRecipe(
  path: string,
): Promise<{ recipe: ResolvedRecipe; bundle: RecipeBundle; digest: string }> {
  const chain = await loadRecipeChain(path);
  await checkRecipeSources(chain);
  const recipe = resolveRecipe(chain);
  // A chain's base layer travels too: image-build caches its root filesystem by its digest.
  const bundle = await bundleRecipe(recipe, chain.length > 1 ? resolveRecipe(chain.slice(0, 1)) : undefined);
  return { recipe, bundle, digest: bundleDigest(bundle.recipe) };
}
