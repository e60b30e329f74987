import { mkdir, statfs } from 'node:fs/promises';
import { BuildFailedError } from './build-image.types.js';

/** Refuses to start a build on a disk with less than `neededBytes` free (retryable: space may come back). */
export async function checkFreeSpace(dir: string, neededBytes: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const s = await statfs(dir);
  const free = s.bavail * s.bsize;
  if (free < neededBytes) {
    const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
    throw new BuildFailedError(
      'preparing',
      `not enough free disk space in ${dir}: ${gib(free)} free, a build needs ${gib(neededBytes)}`,
      true,
    );
  }
}
