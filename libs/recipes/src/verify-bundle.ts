import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { bundleDigest } from './bundle-digest.js';
import { fieldName, RecipeInvalidError, type RecipeProblem } from './recipe-problem.js';
import { recipeBundleSchema, type BundledLayer, type RecipeBundle } from './recipe-bundle.schema.js';

/** Where a bundle's problems point: the bundle itself has no file, line or column. */
const problem = (path: readonly PropertyKey[], message: string): RecipeProblem => ({
  file: 'bundle',
  line: 0,
  column: 0,
  field: fieldName(path),
  message,
});

/**
 * A bundle as received (image-build runs this on `POST /v1/builds`): its shape (the recipe
 * schema's rules), every blob the recipe names present and hashing to its name, and no blob the
 * recipe does not name. Refusals are a RecipeInvalidError whose problems name the field
 * (`recipe.files[0].blob`, `blobs.<sha256>`). The digest is `bundleDigest` of the recipe.
 */
export function verifyBundle(input: unknown): { bundle: RecipeBundle; digest: string } {
  const parsed = recipeBundleSchema.safeParse(input);
  if (!parsed.success) throw new RecipeInvalidError(parsed.error.issues.flatMap(issueProblems));
  const bundle = parsed.data;
  const problems: RecipeProblem[] = [];
  const used = new Set<string>();
  const need = (sha: string | undefined, path: readonly PropertyKey[]) => {
    if (sha === undefined) return;
    used.add(sha);
    if (!Object.hasOwn(bundle.blobs, sha)) problems.push(problem(path, `blob ${sha} is not in the bundle`));
  };
  const layers: [BundledLayer, string[]][] = [[bundle.recipe, ['recipe']]];
  if (bundle.recipe.base) layers.push([bundle.recipe.base, ['recipe', 'base']]);
  for (const [layer, at] of layers) {
    layer.files.forEach((f, i) => need(f.blob, [...at, 'files', i, 'blob']));
    layer.overlays.forEach((o, i) =>
      o.files.forEach((f, j) => need(f.blob, [...at, 'overlays', i, 'files', j, 'blob'])),
    );
    layer.scripts.forEach((s, i) => need(s.blob, [...at, 'scripts', i, 'blob']));
  }
  for (const [sha, base64] of Object.entries(bundle.blobs)) {
    if (!used.has(sha)) {
      problems.push(problem(['blobs', sha], 'not used by the recipe'));
      continue;
    }
    const actual = createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');
    if (actual !== sha) problems.push(problem(['blobs', sha], `its bytes hash to ${actual}`));
  }
  if (problems.length > 0) throw new RecipeInvalidError(problems);
  return { bundle, digest: bundleDigest(bundle.recipe) };
}

function issueProblems(issue: z.core.$ZodIssue): RecipeProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => problem([...issue.path, key], `unknown key ${JSON.stringify(key)}`));
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return [problem(issue.path, 'is required')];
  return [problem(issue.path, issue.message)];
}
