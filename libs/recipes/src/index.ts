export {
  recipeFileSchema,
  DEBIAN_SUITES,
  UBUNTU_SUITES,
  OUTPUTS,
  MAX_CONTENT_BYTES,
  type RecipeFile,
} from './recipe.schema.js';
export { formatProblem, RecipeInvalidError, type RecipeProblem } from './recipe-problem.js';
export { parseRecipe, type RecipeDocument } from './recipe-document.js';
export { loadRecipeChain, type ReadRecipeText } from './recipe-chain.js';
export { checkRecipeSources } from './recipe-sources.js';
export { resolveRecipe, type ResolvedRecipe } from './resolved-recipe.js';
export { loadRecipe } from './load-recipe.js';
export {
  bundledRecipeSchema,
  recipeBundleSchema,
  RECIPE_BUNDLE_FORMAT,
  type BundledLayer,
  type BundledRecipe,
  type RecipeBundle,
} from './recipe-bundle.schema.js';
export { bundleRecipe, MAX_BUNDLE_BYTES, RecipeBundleError } from './bundle-recipe.js';
export { bundleDigest } from './bundle-digest.js';
export { verifyBundle } from './verify-bundle.js';
export { canonicalJson } from './canonical-json.js';
