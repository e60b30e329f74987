// image-build's container permissions do what docs/adr/0009-rootless-image-builds.md says. In
// a runc container made from the rendered Deployment (runc-sandbox.ts), the build user maps
// its sub-id ranges into a user namespace and there does what mmdebstrap --mode=unshare does
// to the root it builds: bind /dev nodes, mount a devpts, bind /sys, mount (or, under the
// masked /proc, bind) /proc, chroot. Without each setting the ADR calls necessary — no
// no_new_privs, SETUID and SETGID bounded, the profile's namespace and mount rules — the same
// steps fail. The seccomp profile is checked against this machine's system call table, the
// AppArmor profile with apparmor_parser, and install.sh against the real binfmt_misc.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { renderOverlay, root, runTool } from './deploy-tools.js';
import { imageBuildImage } from './image-build-image.js';
import { runBundle, SANDBOX_INSTALL, writeBundle, type SandboxSettings } from './runc-sandbox.js';

const componentDir = resolve(root, 'deploy/k8s/components/image-build-node');
const profileFile = resolve(componentDir, 'seccomp-image-build.json');
const INSTALL = `${SANDBOX_INSTALL} apparmor qemu-user-static linux-libc-dev`;

interface SeccompRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}
interface SeccompProfile {
  defaultAction: string;
  architectures: string[];
  syscalls: SeccompRule[];
}
const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as SeccompProfile;

/** The system calls the profile leaves out on purpose (EPERM); deploy/README.md lists them too. */
const LEFT_OUT = [
  // kernel and machine administration
  'acct', 'bpf', 'clock_settime', 'clock_settime64', 'create_module', 'delete_module', 'finit_module',
  'get_kernel_syms', 'init_module', 'ioperm', 'iopl', 'kexec_file_load', 'kexec_load', 'lookup_dcookie',
  'nfsservctl', 'perf_event_open', 'query_module', 'quotactl', 'quotactl_fd', 'reboot', 'settimeofday',
  'swapoff', 'swapon', 'syslog', 'vhangup', 'fanotify_init',
  // the kernel keyring (not namespaced), io_uring, userfaultfd
  'add_key', 'keyctl', 'request_key', 'io_uring_enter', 'io_uring_register', 'io_uring_setup', 'userfaultfd',
  // other processes' memory and file handles
  'kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace',
  'name_to_handle_at', 'open_by_handle_at',
  // NUMA placement, joining namespaces, switching roots
  'mbind', 'migrate_pages', 'move_pages', 'set_mempolicy', 'set_mempolicy_home_node', 'setns', 'pivot_root',
  // obsolete or never implemented
  'afs_syscall', 'getpmsg', 'modify_ldt', 'putpmsg', 'security', '_sysctl', 'sysfs', 'tuxcall', 'uselib',
  'ustat', 'vserver',
]; // prettier-ignore

let scratch: string | undefined;
const scratchDir = () => (scratch ??= mkdtempSync(join(tmpdir(), 'muster-sandbox-')));
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new Error('runs containers with runc and writes binfmt_misc: run as root');
}

/** The settings of image-build's pod in the production overlay, with the profile it names. */
function imageBuildSettings(): SandboxSettings {
  const d = renderOverlay('production').find(
    (o) => o.kind === 'Deployment' && o.metadata.name === 'image-build',
  ) as unknown as IDeployment;
  const pod = d.spec!.template.spec!;
  expect(pod.securityContext?.seccompProfile).toEqual({
    type: 'Localhost',
    localhostProfile: 'muster/image-build.json',
  });
  return { pod, container: pod.containers[0]!, seccomp: profile, image: imageBuildImage() };
}

/** What mmdebstrap --mode=unshare does to a new root, as the user namespace's root. */
const BUILD_STEPS = String.raw`set -e
cat /proc/self/uid_map /proc/self/gid_map
root=$(mktemp -d)
mkdir -p "$root/dev/pts" "$root/proc" "$root/sys"
touch "$root/dev/null"
mount -o bind /dev/null "$root/dev/null"
mount -t devpts -o noexec,nosuid,uid=5,mode=620,ptmxmode=666 none "$root/dev/pts"
mount -o rbind /sys "$root/sys"
mount -t proc proc "$root/proc" 2>/dev/null || mount -o rbind /proc "$root/proc"
perl -e 'chroot("/") or die "chroot: $!\n"'
if unshare --net true 2>/dev/null; then echo "network namespace: allowed"; else echo "network namespace: refused"; fi
umount --lazy "$root/sys" "$root/proc"
umount "$root/dev/pts" "$root/dev/null"
echo "build steps: done"`;

/** Runs the build steps through mmdebstrap's own user-namespace helper in a fresh container. */
function runBuildSteps(settings: SandboxSettings): { status: number; output: string } {
  requireRoot();
  const dir = join(scratchDir(), randomBytes(4).toString('hex'));
  writeBundle(dir, settings, ['mmdebstrap', '--unshare-helper', '/bin/sh', '-c', BUILD_STEPS]);
  const { status, stdout, stderr } = runBundle(dir);
  return { status, output: `${stdout}\n${stderr}` };
}

describe('image-build’s container (runc, as the Deployment sets it up)', () => {
  it('lets the build user map its sub-id ranges and mount and chroot inside its own namespaces, but not create a network namespace', () => {
    const settings = imageBuildSettings();
    const [, start, count] = settings.image.subuid.split(':');
    const { status, output } = runBuildSteps(settings);
    expect(status, output).toBe(0);
    expect(output).toMatch(new RegExp(`^\\s*0\\s+${start}\\s+${count}\\s*$`, 'm'));
    expect(output).toContain('network namespace: refused');
    expect(output).toContain('build steps: done');
  });

  it('fails with allowPrivilegeEscalation: false (no_new_privs ignores newuidmap’s file capability)', () => {
    const settings = imageBuildSettings();
    settings.container.securityContext = {
      ...settings.container.securityContext,
      allowPrivilegeEscalation: false,
    };
    const { status, output } = runBuildSteps(settings);
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/newuidmap.*failed/);
  });

  it('fails without SETUID and SETGID in the bounding set', () => {
    const settings = imageBuildSettings();
    const sc = settings.container.securityContext ?? {};
    settings.container.securityContext = { ...sc, capabilities: { drop: ['ALL'] } };
    const { status, output } = runBuildSteps(settings);
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/newuidmap/);
  });

  it('fails without the profile’s namespace and mount rules (RuntimeDefault grants them only with CAP_SYS_ADMIN)', () => {
    const settings = imageBuildSettings();
    const CLONE_NAMESPACES = 0x7e020000; // every CLONE_NEW* flag, as RuntimeDefault masks clone
    settings.seccomp = {
      ...profile,
      syscalls: [
        ...profile.syscalls.filter((r) => !r.names.some((n) => ['unshare', 'mount', 'chroot'].includes(n))),
        {
          names: ['clone'],
          action: 'SCMP_ACT_ALLOW',
          args: [{ index: 0, value: CLONE_NAMESPACES, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
        },
      ],
    };
    const { status, output } = runBuildSteps(settings);
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/unshare.*Operation not permitted/);
  });
});

describe('deploy/k8s/components/image-build-node/seccomp-image-build.json', () => {
  const header = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
  const rules = (pred: (r: SeccompRule) => boolean) =>
    new Set(profile.syscalls.filter(pred).flatMap((r) => r.names));
  const allowed = rules((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length);
  const conditional = rules((r) => r.action === 'SCMP_ACT_ALLOW' && !!r.args?.length);
  const notImplemented = rules((r) => r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === 38);

  it('refuses by default and allows every x86_64 system call but those it leaves out on purpose', () => {
    if (!existsSync(header)) throw new Error(`${header} is missing; install it with: ${INSTALL}`);
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64']);
    const table = [...readFileSync(header, 'utf8').matchAll(/#define __NR_(\w+)\s+\d+/g)].map((m) => m[1]!);
    expect(table.length).toBeGreaterThan(300);
    const unclassified = table.filter(
      (n) => !allowed.has(n) && !conditional.has(n) && !notImplemented.has(n) && !LEFT_OUT.includes(n),
    );
    expect(unclassified).toEqual([]);
    expect(LEFT_OUT.filter((n) => allowed.has(n) || conditional.has(n) || notImplemented.has(n))).toEqual([]);
    expect([...conditional].sort()).toEqual(['clone', 'personality', 'unshare']);
    expect([...notImplemented].sort()).toEqual([
      'clone3',
      'fsconfig',
      'fsmount',
      'fsopen',
      'fspick',
      'mount_setattr',
      'move_mount',
      'open_tree',
      'open_tree_attr',
    ]);
  });

  it('is documented: deploy/README.md names every call it leaves out', () => {
    const readme = readFileSync(resolve(root, 'deploy/README.md'), 'utf8');
    expect(LEFT_OUT.filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
  });
});

describe('deploy/k8s/components/image-build-node/apparmor-muster-image-build', () => {
  const file = resolve(componentDir, 'apparmor-muster-image-build');
  const compile = (path: string) =>
    runTool('apparmor_parser', ['--skip-kernel-load', '--skip-cache', '-o', '/dev/null', path], INSTALL);

  it('compiles with apparmor_parser (which refuses a broken profile) and allows mount, unlike the runtimes’ default', () => {
    const ok = compile(file);
    expect(ok.status, ok.stderr).toBe(0);
    const broken = join(scratchDir(), 'broken-profile');
    writeFileSync(broken, readFileSync(file, 'utf8').replace(/}\s*$/, ''));
    expect(compile(broken).status).not.toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^profile muster-image-build /m);
    expect(text).toMatch(/^ {2}mount,$/m);
    expect(text).not.toMatch(/deny mount/);
  });
});

describe('deploy/k8s/components/image-build-node/install.sh', () => {
  const binfmt = '/proc/sys/fs/binfmt_misc';
  const name = `muster-test-${randomBytes(4).toString('hex')}`;
  // An entry whose magic no real file has; the interpreter is never run.
  const entry = (flags: string) => `:${name}:M::\\x7fMUSTERTEST${name.slice(-8)}::/usr/bin/true:${flags}\n`;
  const registered = () => (existsSync(`${binfmt}/${name}`) ? readFileSync(`${binfmt}/${name}`, 'utf8') : '');
  afterAll(() => {
    if (registered()) writeFileSync(`${binfmt}/${name}`, '-1');
  });

  function run(conf: string) {
    requireRoot();
    const dir = join(scratchDir(), `install-${randomBytes(4).toString('hex')}`);
    const confFile = `${dir}.conf`;
    writeFileSync(confFile, conf);
    const env = {
      ...process.env,
      MUSTER_NODE_FILES: componentDir,
      MUSTER_SECCOMP_DIR: join(dir, 'seccomp', 'muster'),
      MUSTER_BINFMT_CONF: confFile,
    };
    const result = runTool('sh', [resolve(componentDir, 'install.sh')], INSTALL, { env });
    // Where the node enforces AppArmor the script loaded the profile: take it out again.
    if (result.stdout.includes('apparmor: muster-image-build loaded'))
      runTool('apparmor_parser', ['--remove', resolve(componentDir, 'apparmor-muster-image-build')], INSTALL);
    return { ...result, seccompDir: env.MUSTER_SECCOMP_DIR };
  }

  it('puts the seccomp profile in place and registers the binfmt entry with the F flag, again when it lacks it', () => {
    if (!existsSync(`${binfmt}/register`))
      throw new Error(`${binfmt} is not mounted: mount -t binfmt_misc binfmt_misc ${binfmt}`);
    const first = run(entry('F'));
    expect(first.status, first.stderr).toBe(0);
    expect(readFileSync(join(first.seccompDir, 'image-build.json'), 'utf8')).toBe(
      readFileSync(profileFile, 'utf8'),
    );
    expect(registered()).toMatch(/^enabled$/m);
    expect(registered()).toMatch(/^flags: .*F/m);

    // Registered by someone else without F: the script registers it again, with it.
    writeFileSync(`${binfmt}/${name}`, '-1');
    writeFileSync(`${binfmt}/register`, entry(''));
    expect(registered()).not.toMatch(/^flags: .*F/m);
    const second = run(entry('F'));
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('without the F flag');
    expect(registered()).toMatch(/^flags: .*F/m);
  });

  it('refuses an entry without the F flag', () => {
    const result = run(entry(''));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('does not set the F flag');
  });

  it('uses Debian’s qemu-aarch64 entry by default, which the image carries and which sets the F flag', () => {
    const conf = '/usr/lib/binfmt.d/qemu-aarch64.conf';
    if (!existsSync(conf)) throw new Error(`${conf} is missing; install it with: ${INSTALL}`);
    expect(readFileSync(conf, 'utf8').trim().split(':').at(-1)).toContain('F');
    expect(imageBuildImage().run).toContain('./usr/lib/binfmt.d/qemu-aarch64.conf');
    expect(readFileSync(resolve(componentDir, 'install.sh'), 'utf8')).toContain(
      'binfmt_conf=${MUSTER_BINFMT_CONF:-/usr/lib/binfmt.d/qemu-aarch64.conf}',
    );
  });
});
