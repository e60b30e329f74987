import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
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

/**
 * SHA-256 of what the named files hold: each file's bytes, each overlay's files by relative path,
 * in sorted order — so a recipe's digest changes when a file it copies changes, and not when the
 * recipe moves to another directory.
 */
export async function sourcesDigest(files: readonly string[], overlays: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files)
    hash.update(
      `file\0${createHash('sha256')
        .update(await readFile(file))
        .digest('hex')}\0`,
    );
  for (const dir of overlays) {
    hash.update('overlay\0');
    for (const path of await walk(dir)) {
      const bytes = await readFile(path);
      hash.update(`${relative(dir, path)}\0${createHash('sha256').update(bytes).digest('hex')}\0`);
    }
  }
  return hash.digest('hex');
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
