/** One thing wrong with a recipe, where it is: the file, the line and column, the field. */
export interface RecipeProblem {
  readonly file: string;
  /** 1-based; 0 (and column 0) when the problem is in no file: a received bundle. */
  readonly line: number;
  readonly column: number;
  /** Dotted path of the field, e.g. `packages.install[2]`; empty for the whole file. */
  readonly field: string;
  readonly message: string;
}

export function formatProblem(p: RecipeProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

export class RecipeInvalidError extends Error {
  override readonly name = 'RecipeInvalidError';
  constructor(readonly problems: readonly RecipeProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** `packages.install[2]` from a path of keys and indexes. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out;
}
