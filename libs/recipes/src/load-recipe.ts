import { loadRecipeChain } from './recipe-chain.js';
import { checkRecipeSources } from './recipe-sources.js';
import { recipeDigest, resolveRecipe, type ResolvedRecipe } from './resolved-recipe.js';

/**
 * A recipe file and its `extends:` chain, validated (every problem names the file, line and
 * field), combined, with its digest. What `muster recipes validate` and image-build both run.
 */
export async function loadRecipe(path: string): Promise<{ recipe: ResolvedRecipe; digest: string }> {
  const chain = await loadRecipeChain(path);
  await checkRecipeSources(chain);
  const recipe = resolveRecipe(chain);
  return { recipe, digest: await recipeDigest(recipe) };
}
