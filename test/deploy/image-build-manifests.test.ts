// image-build as a rootless builder, in the manifests (docs/adr/0009-rootless-image-builds.md):
// not privileged, not root, only SETUID and SETGID bounded, its own seccomp and AppArmor
// profiles, the work and cache volumes its variables name and an hour to finish a build —
// in both kustomize overlays and in compose. Nothing else may be privileged but the optional
// node DaemonSet, which installs the very seccomp profile the pods name. That these settings
// let mmdebstrap work, and that each is needed, image-build-sandbox.test.ts shows with runc.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { composeDir, renderOverlay, root, runTool, type K8sObject } from './deploy-tools.js';

const INSTALL = 'apt-get install -y kubernetes-client docker-compose';
/** The objects of the optional node component carry this component label. */
const NODE_COMPONENT = 'image-build-node';
const isNodeComponent = (o: K8sObject) =>
  o.metadata.labels?.['app.kubernetes.io/component'] === NODE_COMPONENT;

/** Where image-build's seccomp profile is, relative to the kubelet's seccomp root. */
const SECCOMP_LOCALHOST_PROFILE = 'muster/image-build.json';
const NODE_COMPONENT_DIR = resolve(root, 'deploy/k8s/components/image-build-node');

/** The pod template of a workload, if it has one. */
function podSpec(o: K8sObject): IPodSpec | undefined {
  return (o as { spec?: { template?: { spec?: IPodSpec } } }).spec?.template?.spec;
}

/** The "baseline" Pod Security Standard, as far as these manifests could break it. */
function expectBaseline(pod: IPodSpec, name: string): void {
  const allowedCapabilities = new Set(BASELINE_CAPABILITIES);
  expect(pod.hostNetwork || pod.hostPID || pod.hostIPC, name).toBeFalsy();
  expect(
    pod.volumes?.some((v) => v.hostPath),
    `${name}: hostPath`,
  ).toBeFalsy();
  expect(pod.securityContext?.seccompProfile?.type, name).not.toBe('Unconfined');
  expect(pod.securityContext?.appArmorProfile?.type, name).not.toBe('Unconfined');
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    expect(c.securityContext?.privileged, `${name} ${c.name}`).not.toBe(true);
    expect(c.securityContext?.procMount ?? 'Default', `${name} ${c.name}`).toBe('Default');
    expect(c.securityContext?.seccompProfile?.type, `${name} ${c.name}`).not.toBe('Unconfined');
    expect(c.securityContext?.appArmorProfile?.type, `${name} ${c.name}`).not.toBe('Unconfined');
    expect(
      c.ports?.some((p) => p.hostPort),
      `${name} ${c.name}: hostPort`,
    ).toBeFalsy();
    for (const cap of c.securityContext?.capabilities?.add ?? [])
      expect(allowedCapabilities.has(cap), `${name} ${c.name} adds ${cap}`).toBe(true);
  }
}
/** What "baseline" lets a container add (pod-security-admission, check_capabilities_baseline). */
const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

function container(d: IDeployment): IContainer {
  const containers = d.spec?.template.spec?.containers ?? [];
  expect(containers, `${d.metadata?.name}: one container`).toHaveLength(1);
  return containers[0]!;
}

describe.each(['local', 'production'])('deploy/k8s/overlays/%s: image-build', (overlay) => {
  // Only the local overlay includes the optional node component.
  const nodeComponent = overlay === 'local';
  let rendered: K8sObject[] | undefined;
  const rendering = () => (rendered ??= renderOverlay(overlay));
  const all = <T>(kind: string) => rendering().filter((o) => o.kind === kind) as unknown as T[];
  const named = <T>(kind: string, name: string) => {
    const found = rendering().find((o) => o.kind === kind && o.metadata.name === name);
    expect(found, `${kind} ${name}`).toBeDefined();
    return found as unknown as T;
  };

  it('runs image-build rootless: unprivileged, uid 10001, only SETUID and SETGID bounded, its own seccomp and AppArmor profiles', () => {
    const d = named<IDeployment>('Deployment', 'image-build');
    const pod = d.spec!.template.spec!;
    const c = container(d);
    expect(c.securityContext?.privileged).not.toBe(true);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'Localhost', localhostProfile: SECCOMP_LOCALHOST_PROFILE },
      appArmorProfile: { type: 'Localhost', localhostProfile: 'muster-image-build' },
    });
    expect(c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser).toBe(10001);
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
    // newuidmap and newgidmap gain their file capabilities only without no_new_privs.
    expect(c.securityContext?.allowPrivilegeEscalation).toBe(true);
    expect(c.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['SETUID', 'SETGID'] });
    expectBaseline(pod, 'image-build');
  });

  it('gives image-build its work and cache volumes, on the paths its variables name, and an hour to finish a build', () => {
    const d = named<IDeployment>('Deployment', 'image-build');
    const pod = d.spec!.template.spec!;
    const c = container(d);
    const env = (key: string) => c.env?.find((e) => e.name === key)?.value;
    expect(env('MUSTER_BUILD_WORKER')).toBe('on');
    expect(Number(env('MUSTER_BUILD_CONCURRENCY'))).toBeGreaterThanOrEqual(1);
    const volumeAt = (path: string | undefined) => {
      const mount = c.volumeMounts?.find((m) => m.mountPath === path);
      expect(mount, `a volume at ${path}`).toBeDefined();
      expect(mount!.readOnly, path).not.toBe(true);
      const volume = pod.volumes?.find((v) => v.name === mount!.name);
      expect(volume?.emptyDir?.sizeLimit, `${path}: emptyDir with a size limit`).toBeDefined();
      return mount!.name;
    };
    const work = volumeAt(env('MUSTER_BUILD_WORK_DIR'));
    const cache = volumeAt(env('MUSTER_BUILD_CACHE_DIR'));
    expect(work).not.toBe(cache);
    expect(volumeAt(env('TMPDIR')), 'mmdebstrap builds the root in $TMPDIR').toBe(work);
    expect(volumeAt('/tmp')).not.toBe(work);
    if (overlay === 'production') {
      expect(c.resources?.requests?.['ephemeral-storage'], 'work and cache count here').toBeDefined();
    }
    // A scale-down or rollout sends SIGTERM; the running build finishes within this.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(3600);
  });

  it('enforces "baseline" admission in the muster namespace, "privileged" only in muster-node', () => {
    const labels = (name: string) => named<K8sObject>('Namespace', name).metadata.labels ?? {};
    expect(labels('muster')['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(labels('muster')['pod-security.kubernetes.io/audit']).toBe('restricted');
    if (nodeComponent) expect(labels('muster-node')['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  it('has no privileged container but the node DaemonSet’s installer', () => {
    const privileged: string[] = [];
    for (const o of rendering()) {
      const pod = podSpec(o);
      if (!pod) continue;
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const sc = c.securityContext;
        if (sc?.privileged === true || sc?.capabilities?.add?.includes('SYS_ADMIN'))
          privileged.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name} ${c.name}`);
      }
      if (!isNodeComponent(o)) expectBaseline(pod, `${o.kind} ${o.metadata.name}`);
    }
    expect(privileged).toEqual(nodeComponent ? ['DaemonSet muster-node/image-build-node install'] : []);
  });

  it('installs on the nodes the very seccomp profile image-build names, where the overlay includes the node component', () => {
    const daemonSets = all<IDaemonSet>('DaemonSet');
    if (!nodeComponent) {
      expect(daemonSets).toEqual([]);
      return;
    }
    const ds = named<IDaemonSet>('DaemonSet', NODE_COMPONENT);
    const pod = ds.spec!.template.spec!;
    const install = pod.initContainers?.find((c) => c.name === 'install');
    expect(install?.image).toMatch(/^muster\/image-build:/);
    // install.sh writes <MUSTER_SECCOMP_DIR>/image-build.json; the kubelet resolves a Localhost
    // profile under <root-dir>/seccomp, /var/lib/kubelet/seccomp by default.
    const dir = install?.env?.find((e) => e.name === 'MUSTER_SECCOMP_DIR')?.value ?? '';
    const mount = install?.volumeMounts?.find((m) => dir.startsWith(`${m.mountPath}/`));
    const hostPath = pod.volumes?.find((v) => v.name === mount?.name)?.hostPath?.path;
    expect(hostPath).toBe('/var/lib/kubelet/seccomp');
    expect(`${hostPath}${dir.slice(mount!.mountPath.length)}/image-build.json`).toBe(
      `/var/lib/kubelet/seccomp/${SECCOMP_LOCALHOST_PROFILE}`,
    );
    const filesVolume = pod.volumes?.find((v) => v.configMap)?.configMap?.name ?? 'no configMap volume';
    const files = named<IConfigMap>('ConfigMap', filesVolume).data ?? {};
    for (const file of ['install.sh', 'seccomp-image-build.json', 'apparmor-muster-image-build'])
      expect(files[file], file).toBe(readFileSync(resolve(NODE_COMPONENT_DIR, file), 'utf8'));
  });
});

interface ComposeService {
  user?: string;
  privileged?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  environment?: Record<string, string | null>;
  volumes?: (string | { target: string; source: string })[];
  stop_grace_period?: string;
}

/** "1h", "90m", "3600s" and the like, in seconds. */
function durationSeconds(value: string | undefined): number {
  const unit = { h: 3600, m: 60, s: 1 } as Record<string, number>;
  let total = 0;
  for (const [, n, u] of (value ?? '').matchAll(/(\d+)([hms])/g)) total += Number(n) * unit[u!]!;
  return total;
}

describe('deploy/compose/docker-compose.yml: image-build', () => {
  it('runs image-build rootless like Kubernetes does: uid 10001, only SETUID and SETGID, its profiles, volumes and an hour to stop', () => {
    // In deploy/compose, where docker-compose 1.x finds the seccomp profile the file names.
    const { status, stdout, stderr } = runTool('docker-compose', ['config'], INSTALL, { cwd: composeDir });
    expect(status, stderr).toBe(0);
    const services = (parse(stdout) as { services: Record<string, ComposeService> }).services;
    const privileged = Object.entries(services)
      .filter(([, s]) => s.privileged === true || s.cap_add?.includes('SYS_ADMIN'))
      .map(([name]) => name);
    expect(privileged).toEqual([]);

    const s = services['image-build']!;
    expect(s.user).toBe('10001:10001');
    expect(s.cap_drop).toEqual(['ALL']);
    expect(s.cap_add).toEqual(['SETUID', 'SETGID']);
    const opts = (s.security_opt ?? []).map((o) => o.replace(':', '='));
    expect(opts).toContain('no-new-privileges=false');
    expect(opts).toContain('apparmor=muster-image-build');
    const seccomp = opts.find((o) => o.startsWith('seccomp='))?.slice('seccomp='.length);
    expect(seccomp && resolve(composeDir, seccomp)).toBe(
      resolve(NODE_COMPONENT_DIR, 'seccomp-image-build.json'),
    );

    const env = s.environment ?? {};
    expect(env['MUSTER_BUILD_WORKER']).toBe('on');
    const targets = (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
    expect(targets).toEqual(
      expect.arrayContaining([env['MUSTER_BUILD_WORK_DIR'], env['MUSTER_BUILD_CACHE_DIR']]),
    );
    expect(env['TMPDIR']).toBe(env['MUSTER_BUILD_WORK_DIR']);
    expect(durationSeconds(s.stop_grace_period)).toBeGreaterThanOrEqual(3600);
  });
});
