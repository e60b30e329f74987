import { runTool, type ToolOptions } from './tool-runner.js';

/**
 * Runs a shell script as root of a new user namespace mapped onto the build user's sub-uids
 * (`unshare --map-auto --map-root-user`): files keep their owners from a tarball, and files
 * owned by sub-uids can be removed — without privileges on the host.
 */
export function runInUserNamespace(script: string, args: string[], options: ToolOptions): Promise<string[]> {
  return runTool(
    'unshare',
    ['--map-auto', '--map-root-user', '--mount', '--', 'sh', '-euc', script, 'muster-build', ...args],
    options,
  );
}

/** Removes a directory whose files may belong to sub-uids of the build user. */
export async function removeTree(dir: string, options: ToolOptions): Promise<void> {
  await runInUserNamespace('rm -rf -- "$1"', [dir], options);
}
