export { recipeFileSchema, DEBIAN_SUITES, UBUNTU_SUITES, OUTPUTS, type RecipeFile } from './recipe.schema.js';
export { formatProblem, RecipeInvalidError, type RecipeProblem } from './recipe-problem.js';
export { parseRecipe, type RecipeDocument } from './recipe-document.js';
export { loadRecipeChain, type ReadRecipeText } from './recipe-chain.js';
export { checkRecipeSources, sourcesDigest } from './recipe-sources.js';
export { recipeDigest, resolveRecipe, type ResolvedRecipe } from './resolved-recipe.js';
export { loadRecipe } from './load-recipe.js';
export { bundledRecipeSchema, recipeBundleSchema, type BundledLayer, type BundledRecipe, type RecipeBundle } from './recipe-bundle.schema.js';
