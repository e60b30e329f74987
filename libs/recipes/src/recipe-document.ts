import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { fieldName, RecipeInvalidError, type RecipeProblem } from './recipe-problem.js';
import { recipeFileSchema, type RecipeFile } from './recipe.schema.js';

/** A recipe file parsed and validated, with a way to point at any of its fields. */
export interface RecipeDocument {
  readonly file: string;
  readonly recipe: RecipeFile;
  /** A problem at the field `path` (its key when it has one, else the nearest parent). */
  problemAt(path: readonly PropertyKey[], message: string): RecipeProblem;
}

/** Parses and validates one recipe's text; throws RecipeInvalidError naming file, line and field. */
export function parseRecipe(file: string, text: string): RecipeDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => lines.linePos(offset);
  const yamlProblems = [...doc.errors].map((e) => {
    const pos = at(e.pos[0]);
    return { file, line: pos.line, column: pos.col, field: '', message: e.message.split('\n')[0]! };
  });
  if (yamlProblems.length > 0) throw new RecipeInvalidError(yamlProblems);
  const problemAt = (path: readonly PropertyKey[], message: string): RecipeProblem => {
    const offset = offsetOf(doc, path) ?? 0;
    const pos = at(offset);
    return { file, line: pos.line, column: pos.col, field: fieldName(path), message };
  };
  const parsed = recipeFileSchema.safeParse(doc.toJS());
  if (!parsed.success)
    throw new RecipeInvalidError(parsed.error.issues.flatMap((i) => issueProblems(i, problemAt)));
  return { file, recipe: parsed.data, problemAt };
}

function issueProblems(issue: z.core.$ZodIssue, problemAt: RecipeDocument['problemAt']): RecipeProblem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => problemAt([...path, key], `unknown key ${JSON.stringify(key)}`));
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return [problemAt(path, 'is required')];
  return [problemAt(path, issue.message)];
}

/** Where the field at `path` starts: its key, or the value of the nearest parent that exists. */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = (node as Node | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (!pair) return best;
      best = (pair.key as Node).range?.[0] ?? best;
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node && typeof key === 'number') {
      const item = (node as { items: unknown[] }).items[key] as Node | undefined;
      if (!item) return best;
      best = item.range?.[0] ?? best;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}
