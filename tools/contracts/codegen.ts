import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GEN_DIR, generateTs, listFiles, PROTO_DIR, withTempDir } from './build.ts';

export interface GenDiff {
  /** Committed files whose bytes differ from what generation gives. */
  readonly stale: readonly string[];
  /** Files generation gives that are not committed. */
  readonly missing: readonly string[];
  /** Committed files generation no longer gives. */
  readonly extra: readonly string[];
}

/** Compares a freshly generated directory with the committed one, file by file. */
export function diff(fresh: string, committed: string): GenDiff {
  const want = listFiles(fresh);
  const have = existsSync(committed) ? listFiles(committed) : [];
  const haveSet = new Set(have);
  const wantSet = new Set(want);
  return {
    stale: want.filter(
      (f) => haveSet.has(f) && !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f))),
    ),
    missing: want.filter((f) => !haveSet.has(f)),
    extra: have.filter((f) => !wantSet.has(f)),
  };
}

/** Generates into a temporary directory and compares it byte for byte with root's GEN_DIR. */
export function diffGenerated(root: string): GenDiff {
  return withTempDir('gen', (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    generateTs(join(root, PROTO_DIR), out, work);
    return diff(out, join(root, GEN_DIR));
  });
}

/** Brings root's GEN_DIR up to date, touching only files that change. */
export function regenerate(root: string): GenDiff {
  const target = join(root, GEN_DIR);
  return withTempDir('gen', (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    generateTs(join(root, PROTO_DIR), out, work);
    const changes = diff(out, target);
    for (const file of [...changes.stale, ...changes.missing]) {
      mkdirSync(dirname(join(target, file)), { recursive: true });
      writeFileSync(join(target, file), readFileSync(join(out, file)));
    }
    for (const file of changes.extra) rmSync(join(target, file));
    removeEmptyDirs(target);
    return changes;
  });
}

export function removeEmptyDirs(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyDirs(join(dir, entry.name));
  }
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}
