import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RecipeDocument } from './recipe-document.js';
import { RecipeInvalidError, type RecipeProblem } from './recipe-problem.js';

/** Every file a chain names (files[].source, overlays[], scripts[].source) must exist. */
export async function checkRecipeSources(chain: readonly RecipeDocument[]): Promise<void> {
  const problems: RecipeProblem[] = [];
  for (const doc of chain) {
    const here = (p: string) => resolve(dirname(doc.file), p);
    const wanted: { path: (string | number)[]; target: string; directory: boolean }[] = [
      ...(doc.recipe.files ?? []).flatMap((f, i) =>
        f.source === undefined
          ? []
          : [{ path: ['files', i, 'source'], target: here(f.source), directory: false }],
      ),
      ...(doc.recipe.overlays ?? []).map((o, i) => ({
        path: ['overlays', i],
        target: here(o),
        directory: true,
      })),
      ...(doc.recipe.scripts ?? []).flatMap((s, i) =>
        s.source === undefined
          ? []
          : [{ path: ['scripts', i, 'source'], target: here(s.source), directory: false }],
      ),
    ];
    for (const w of wanted) {
      const found = await stat(w.target).catch(() => undefined);
      if (!found)
        problems.push(doc.problemAt(w.path, `no such ${w.directory ? 'directory' : 'file'}: ${w.target}`));
      else if (found.isDirectory() !== w.directory) {
        problems.push(
          doc.problemAt(w.path, `${w.target} is ${w.directory ? 'not a directory' : 'a directory'}`),
        );
      }
    }
  }
  if (problems.length > 0) throw new RecipeInvalidError(problems);
}
