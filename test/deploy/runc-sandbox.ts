// A container as Kubernetes would run image-build's, made with runc (the OCI runtime under
// containerd, CRI-O and Docker) from the rendered Deployment: its user, groups, bounding
// capabilities, no_new_privs, read-only root, seccomp profile and emptyDir volumes, with the
// runtimes' masked and read-only /proc paths. The root filesystem is this machine's /usr and
// /etc (read-only), with the image's user, sub-id ranges and file-capability id-map helpers
// laid over them.
import {
  chmodSync,
  chownSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ImageBuildImage } from './image-build-image.js';
import { runTool, type ToolResult } from './deploy-tools.js';

export const SANDBOX_INSTALL = 'apt-get install -y runc libcap2-bin mmdebstrap uidmap';

/** What containerd and CRI-O mask and make read-only in every container's /proc and /sys. */
const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface SandboxSettings {
  pod: IPodSpec;
  container: IContainer;
  /** The seccomp profile the pod's Localhost profile names, as the node holds it. */
  seccomp: unknown;
  image: ImageBuildImage;
}

/** Lays out an OCI bundle in `dir` for `args`, from the pod's settings. */
export function writeBundle(dir: string, settings: SandboxSettings, args: string[]): void {
  const { pod, container, image } = settings;
  const sc = container.securityContext ?? {};
  const uid = sc.runAsUser ?? pod.securityContext?.runAsUser;
  const gid = sc.runAsGroup ?? pod.securityContext?.runAsGroup;
  const fsGroup = pod.securityContext?.fsGroup;
  if (uid === undefined || gid === undefined || fsGroup === undefined)
    throw new Error('the pod must set runAsUser, runAsGroup and fsGroup');
  if (JSON.stringify(sc.capabilities?.drop) !== '["ALL"]')
    throw new Error('the container must drop ALL capabilities');
  const caps = (sc.capabilities?.add ?? []).map((c) => `CAP_${c}`);

  const rootfs = join(dir, 'rootfs');
  const files = join(dir, 'files');
  for (const d of ['usr', 'etc', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
  mkdirSync(files, { recursive: true });
  const mounts: object[] = [];
  // bin, sbin, lib, lib64: links into /usr as here (merged /usr), or the directories themselves.
  for (const top of ['bin', 'sbin', 'lib', 'lib64']) {
    const stat = lstatSync(`/${top}`, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) symlinkSync(readlinkSync(`/${top}`), join(rootfs, top));
    else if (stat?.isDirectory()) {
      mkdirSync(join(rootfs, top));
      mounts.push({ destination: `/${top}`, type: 'bind', source: `/${top}`, options: ['rbind', 'ro'] });
    }
  }

  // The image's user and its sub-id ranges, as the Dockerfile makes them.
  const { name } = image.user;
  const others = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith(`${name}:`))
      .join('\n');
  writeFileSync(
    join(files, 'passwd'),
    `${others('/etc/passwd')}\n${name}:x:${image.user.uid}:${image.user.gid}::/nonexistent:/usr/sbin/nologin\n`,
  );
  writeFileSync(join(files, 'group'), `${others('/etc/group')}\n${name}:x:${image.user.gid}:\n`);
  writeFileSync(join(files, 'subuid'), `${image.subuid}\n`);
  writeFileSync(join(files, 'subgid'), `${image.subgid}\n`);
  // newuidmap and newgidmap as in the image: not setuid, one file capability each.
  for (const helper of ['newuidmap', 'newgidmap'] as const) {
    copyFileSync(`/usr/bin/${helper}`, join(files, helper));
    chmodSync(join(files, helper), 0o755);
    const set = runTool('setcap', [image.fileCaps[helper], join(files, helper)], SANDBOX_INSTALL);
    if (set.status !== 0) throw new Error(`setcap ${helper}: ${set.stderr}`);
  }

  // Each emptyDir as the kubelet makes it for an fsGroup: mode 2777, group fsGroup.
  for (const m of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === m.name);
    if (!volume?.emptyDir) throw new Error(`volume ${m.name} is not an emptyDir`);
    const host = join(dir, 'volumes', m.name);
    mkdirSync(host, { recursive: true });
    chownSync(host, 0, fsGroup);
    chmodSync(host, 0o2777);
    mkdirSync(join(rootfs, m.mountPath), { recursive: true });
    mounts.push({ destination: m.mountPath, type: 'bind', source: host, options: ['rbind', 'rw'] });
  }

  const env = (container.env ?? []).filter((e) => e.value !== undefined).map((e) => `${e.name}=${e.value}`);
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid, gid, additionalGids: [fsGroup] },
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env],
      cwd: '/',
      // A non-root process keeps none of these across execve: they bound what the helpers'
      // file capabilities may grant.
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: sc.allowPrivilegeEscalation === false,
    },
    root: { path: 'rootfs', readonly: sc.readOnlyRootFilesystem === true },
    hostname: 'image-build',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro'] },
      { destination: '/etc', type: 'bind', source: '/etc', options: ['rbind', 'ro'] },
      ...['passwd', 'group', 'subuid', 'subgid'].map((f) => bindFile(join(files, f), `/etc/${f}`)),
      ...['newuidmap', 'newgidmap'].map((f) => bindFile(join(files, f), `/usr/bin/${f}`)),
      ...mounts,
    ],
    linux: {
      namespaces: ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => ({ type })),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      seccomp: settings.seccomp,
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 1));
}

function bindFile(source: string, destination: string): object {
  return { destination, type: 'bind', source, options: ['bind', 'ro'] };
}

/** Runs the bundle's process to its end (`runc run` removes the container afterwards). */
export function runBundle(dir: string): ToolResult {
  return runTool(
    'runc',
    ['run', '--bundle', dir, `muster-test-${randomUUID().slice(0, 8)}`],
    SANDBOX_INSTALL,
    {
      cwd: dir,
      timeoutMs: 60_000,
    },
  );
}
