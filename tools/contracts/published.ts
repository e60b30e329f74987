import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ASYNCAPI_FILE, DESCRIPTOR_SET_FILE, renderAsyncApi } from './asyncapi.ts';
import { buildImage, PROTO_DIR, withTempDir } from './build.ts';
import { readCatalogueInput } from './catalogue-input.ts';
import { diff, type GenDiff } from './codegen.ts';

/**
 * What an outside subscriber needs to read our events without our code: the event catalogue
 * and the descriptor set. Generated, committed, drift-checked; under docs/ because it is
 * documentation for readers of the bus (see docs/events/README.md, which is not generated).
 */
export const PUBLISHED_DIR = 'docs/events';
const GENERATED = [ASYNCAPI_FILE, DESCRIPTOR_SET_FILE];

/** Writes the published files for root into outDir. */
export function generatePublished(root: string, outDir: string, workDir: string): string[] {
  // Every file with its imports (buf/validate, google/protobuf) and comments: stock
  // `protoc --decode --descriptor_set_in=` needs nothing else.
  buildImage(join(root, PROTO_DIR), join(outDir, DESCRIPTOR_SET_FILE), workDir);
  writeFileSync(join(outDir, ASYNCAPI_FILE), renderAsyncApi(readCatalogueInput(root)));
  return [...GENERATED];
}

/** Only the generated files count: the folder also holds a hand-written README. */
function onlyGenerated(d: GenDiff): GenDiff {
  const keep = (f: string): boolean => GENERATED.includes(f);
  return { stale: d.stale.filter(keep), missing: d.missing.filter(keep), extra: [] };
}

export function diffPublished(root: string): GenDiff {
  return withTempDir('published', (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    generatePublished(root, out, work);
    return onlyGenerated(diff(out, join(root, PUBLISHED_DIR)));
  });
}

/** Brings root's PUBLISHED_DIR up to date, touching only files that change. */
export function regeneratePublished(root: string): GenDiff {
  const target = join(root, PUBLISHED_DIR);
  return withTempDir('published', (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    generatePublished(root, out, work);
    const changes = onlyGenerated(diff(out, target));
    for (const file of [...changes.stale, ...changes.missing]) {
      mkdirSync(dirname(join(target, file)), { recursive: true });
      writeFileSync(join(target, file), readFileSync(join(out, file)));
    }
    return changes;
  });
}
