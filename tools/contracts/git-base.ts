import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROTO_DIR } from './build.ts';
import { run, runOrThrow, ToolError } from './toolchain.ts';

function git(root: string, args: readonly string[]): string {
  return runOrThrow('git', args, root).stdout;
}

/**
 * The revision to compare proto/ against: the override when given; HEAD while proto/ has
 * uncommitted changes (the change being made); else HEAD~1 (the commit being checked).
 * Undefined when there is no such revision (the first commit).
 */
export function resolveBase(root: string, override?: string): string | undefined {
  if (override) return override;
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=all', '--', PROTO_DIR]).trim() !== '';
  const rev = dirty ? 'HEAD' : 'HEAD~1';
  return run('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], root).status === 0
    ? rev
    : undefined;
}

/** Writes proto/ as of rev into dest; false when rev has no proto files. */
export function checkoutProto(root: string, rev: string, dest: string): boolean {
  if (run('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], root).status !== 0) {
    throw new ToolError(`base revision ${rev} does not exist`);
  }
  const files = git(root, ['ls-tree', '-r', '-z', '--name-only', rev, '--', `${PROTO_DIR}/`])
    .split('\0')
    .filter((path) => path.endsWith('.proto'));
  for (const path of files) {
    const content = runOrThrow('git', ['show', `${rev}:${path}`], root).stdout;
    const target = join(dest, path.slice(PROTO_DIR.length + 1));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return files.length > 0;
}
