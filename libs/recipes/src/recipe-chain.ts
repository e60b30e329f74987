import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseRecipe, type RecipeDocument } from './recipe-document.js';
import { RecipeInvalidError } from './recipe-problem.js';

/** Reads a recipe file's text; injectable so the CLI and the service read the same way. */
export type ReadRecipeText = (path: string) => Promise<string>;

const readText: ReadRecipeText = (path) => readFile(path, 'utf8');

/**
 * The recipe at `path` and every recipe it `extends:`, base first. A missing or invalid file,
 * or a cycle, is a RecipeInvalidError at the `extends:` line that leads to it.
 */
export async function loadRecipeChain(
  path: string,
  read: ReadRecipeText = readText,
): Promise<RecipeDocument[]> {
  const chain: RecipeDocument[] = [];
  const seen: string[] = [];
  let file = resolve(path);
  let from: { doc: RecipeDocument } | undefined;
  for (;;) {
    if (seen.includes(file)) {
      const cycle = [...seen.slice(seen.indexOf(file)), file].join(' → ');
      throw new RecipeInvalidError([from!.doc.problemAt(['extends'], `extends forms a cycle: ${cycle}`)]);
    }
    seen.push(file);
    let text: string;
    try {
      text = await read(file);
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      if (!from) throw new RecipeInvalidError([{ file, line: 1, column: 1, field: '', message: reason }]);
      throw new RecipeInvalidError([from.doc.problemAt(['extends'], `${file}: ${reason}`)]);
    }
    const doc = parseRecipe(file, text);
    chain.unshift(doc);
    if (!doc.recipe.extends) return chain;
    from = { doc };
    file = resolve(dirname(file), doc.recipe.extends);
  }
}
