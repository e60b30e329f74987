// Compiles each workspace package's src/ to dist/ with SWC, the transform development and the
// tests run through @swc-node/register, so the images run the code the tests ran. Type checking
// is `npm run typecheck` (tsc --strict), not this.
import { transformFile, type Options } from '@swc/core';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

interface TsCompilerOptions {
  target: string;
  experimentalDecorators?: boolean;
  emitDecoratorMetadata?: boolean;
}

/**
 * SWC settings from tsconfig.base.json, as @swc-node/register derives them: ES modules, the
 * configured target, legacy decorators with their design-time metadata (NestJS injects by it
 * and TypeORM reads column types from it), class fields defined (the ES2022+ default), class
 * names kept (Nest and TypeORM use them).
 */
export async function swcOptions(root = REPO_ROOT): Promise<Options> {
  const base = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: TsCompilerOptions;
  };
  const ts = base.compilerOptions;
  return {
    swcrc: false,
    configFile: false,
    isModule: true,
    sourceMaps: true,
    module: { type: 'es6' },
    jsc: {
      target: ts.target.toLowerCase() as NonNullable<Options['jsc']>['target'],
      parser: { syntax: 'typescript', decorators: Boolean(ts.experimentalDecorators), dynamicImport: true },
      transform: {
        legacyDecorator: Boolean(ts.experimentalDecorators),
        decoratorMetadata: Boolean(ts.emitDecoratorMetadata),
        useDefineForClassFields: true,
      },
      keepClassNames: true,
      experimental: { keepImportAttributes: true },
    },
  };
}

/** The workspace packages (libs/*, services/*): each directory with a package.json. */
export async function workspacePackages(root = REPO_ROOT): Promise<string[]> {
  const found: string[] = [];
  for (const parent of ['libs', 'services']) {
    for (const name of (await readdir(join(root, parent))).sort()) {
      const dir = join(root, parent, name);
      if (
        await readFile(join(dir, 'package.json')).then(
          () => true,
          () => false,
        )
      )
        found.push(dir);
    }
  }
  return found;
}

/** The files of src/ that run: TypeScript, without unit tests or declarations. */
async function sourceFiles(srcDir: string): Promise<string[]> {
  const entries = await readdir(srcDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !/\.(spec|d)\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Replaces `<pkg>/dist` with `<pkg>/src` compiled: `x.ts` → `x.js` + `x.js.map`. Returns the count. */
export async function compilePackage(pkgDir: string, options: Options): Promise<number> {
  const src = join(pkgDir, 'src');
  const dist = join(pkgDir, 'dist');
  await rm(dist, { recursive: true, force: true });
  const files = await sourceFiles(src);
  await Promise.all(
    files.map(async (file) => {
      const out = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
      const { code, map } = await transformFile(file, {
        ...options,
        filename: file,
        sourceFileName: relative(dirname(out), file),
      });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, `${code}\n//# sourceMappingURL=${basename(out)}.map\n`);
      if (map) await writeFile(`${out}.map`, map);
    }),
  );
  return files.length;
}
