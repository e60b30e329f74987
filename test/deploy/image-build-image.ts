// What deploy/docker/Dockerfile gives the image-build image for rootless builds, read from the
// Dockerfile itself so that the tests check the image that is actually built.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { root } from './deploy-tools.js';

export interface ImageBuildImage {
  /** The image-build branch of the runtime stage's RUN instruction, continuations joined. */
  run: string;
  user: { name: string; uid: number; gid: number };
  /** `/etc/subuid` and `/etc/subgid` lines: `name:start:count`. */
  subuid: string;
  subgid: string;
  /** The `setcap` argument each id-map helper gets, e.g. `cap_setuid=ep`. */
  fileCaps: { newuidmap: string; newgidmap: string };
}

export function imageBuildImage(): ImageBuildImage {
  const text = readFileSync(resolve(root, 'deploy/docker/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const run = text.split('\n').find((l) => l.startsWith('RUN ') && l.includes('"$SERVICE" = "image-build"'));
  if (!run) throw new Error('deploy/docker/Dockerfile: no RUN with an image-build branch');
  const match = (re: RegExp, what: string) => {
    const m = re.exec(run);
    if (!m) throw new Error(`deploy/docker/Dockerfile: no ${what} in the image-build branch`);
    return m;
  };
  const user = match(/useradd [^&;]*--uid (\d+) --gid (\d+) [^&;]* ([\w-]+)\s*(?:&&|;)/, 'useradd');
  return {
    run,
    user: { name: user[3]!, uid: Number(user[1]), gid: Number(user[2]) },
    subuid: match(/echo '([^']+)' >\/etc\/subuid/, '/etc/subuid line')[1]!,
    subgid: match(/echo '([^']+)' >\/etc\/subgid/, '/etc/subgid line')[1]!,
    fileCaps: {
      newuidmap: match(/setcap (\S+) \/usr\/bin\/newuidmap/, 'setcap of newuidmap')[1]!,
      newgidmap: match(/setcap (\S+) \/usr\/bin\/newgidmap/, 'setcap of newgidmap')[1]!,
    },
  };
}
