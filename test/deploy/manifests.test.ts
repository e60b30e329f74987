// The deployment manifests under deploy/, checked offline: both kustomize overlays render, every
// object is valid against the Kubernetes schemas, every Deployment probes /readyz and /healthz on
// its HTTP port, has limits, gets only the MUSTER_* variables its service reads and runs its
// image's own command; the compose file is valid for docker-compose, builds each service's image
// with that command and health-checks it. Every service but image-build meets the "restricted"
// Pod Security Standard; image-build's own checks are in image-build-manifests.test.ts.
// artifact-store signs releases with keys from a Secret and chunks build outputs on a volume of
// its own. The site cache, deployed at a site, has its own (site-cache-manifests.test.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import {
  PodDisruptionBudget,
  type IPodDisruptionBudget,
} from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { generateSigningKey, keyRingEntry } from '@muster/command-signing';
import { ConfigError, loadConfig, streamLimitsValue, type ConfigSchema, type EnvVar } from '@muster/config';
import { streams } from '@muster/contracts';
import { effectiveLimits } from '@muster/messaging';
import { serviceSchema } from '@muster/runtime';
import { artifactConfig } from '../../services/artifact-store/src/artifact.config.js';
import { artifactStoreService } from '../../services/artifact-store/src/service.entry.js';
import {
  composeDir,
  renderOverlay,
  root,
  runTool as runInstalledTool,
  type K8sObject,
} from './deploy-tools.js';
import { containerEnv, quantityBytes, TEST_NKEY_SEED } from './pod-env.js';

/** The generated name of a ConfigMap (kustomize appends a hash to it). */
function configMapName(
  objects: readonly { kind: string; metadata: { name: string } }[],
  base: string,
): string {
  const found = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(`${base}-`));
  return found?.metadata.name ?? base;
}
const composeFile = 'deploy/compose/docker-compose.yml';
const INSTALL = 'apt-get install -y kubernetes-client docker-compose';
/** Runs docker-compose in deploy/compose, where 1.x finds the seccomp profile it names. */
const compose = (...args: string[]) =>
  runTool('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: composeDir });

/** The eight services and their default HTTP ports. */
const PORTS: Record<string, number> = {
  discovery: 8081,
  inventory: 8082,
  'image-build': 8083,
  'artifact-store': 8084,
  boot: 8085,
  scheduler: 8086,
  'agent-gateway': 8087,
  api: 8088,
};
const SERVICES = Object.keys(PORTS);

/** What each service's configuration accepts; any other MUSTER_* variable stops it at start. */
const COMMON_ENV = [
  'MUSTER_HTTP_HOST',
  'MUSTER_HTTP_PORT',
  'MUSTER_NATS_URL',
  'MUSTER_NATS_NKEY_SEED',
  'MUSTER_NATS_STREAMS',
  'MUSTER_DATABASE_URL',
  'MUSTER_DATABASE_SCHEMA',
  'MUSTER_LOG_LEVEL',
  'MUSTER_OTEL_EXPORTER_OTLP_ENDPOINT',
  'MUSTER_HTTP_BODY_LIMIT_BYTES',
  'MUSTER_HTTP_RATE_LIMIT_PER_MINUTE',
  'MUSTER_HTTP_RATE_LIMIT_BURST',
];
const S3_ENV = [
  'MUSTER_S3_ENDPOINT',
  'MUSTER_S3_ACCESS_KEY',
  'MUSTER_S3_SECRET_KEY',
  'MUSTER_S3_REGION',
  'MUSTER_S3_BUCKET',
];
/** The variable names a configuration schema declares. */
function envNames(schema: ConfigSchema): string[] {
  return Object.values(schema).flatMap((node) =>
    (node as EnvVar).kind === 'env-var' ? [(node as EnvVar).name] : envNames(node as ConfigSchema),
  );
}
/** artifact-store's own settings: release signing, documents, GC, ingest, presigned URLs. */
const ARTIFACT_ENV = envNames(artifactConfig());
/** image-build's worker: whether this instance builds, how many at once, and where. */
const BUILD_ENV = [
  'MUSTER_BUILD_WORKER',
  'MUSTER_BUILD_CONCURRENCY',
  'MUSTER_BUILD_WORK_DIR',
  'MUSTER_BUILD_CACHE_DIR',
];
const ALLOWED_ENV: Record<string, Set<string>> = Object.fromEntries(
  SERVICES.map((s) => [
    s,
    new Set([
      ...COMMON_ENV,
      ...(s === 'image-build' ? ['MUSTER_REDIS_URL', ...S3_ENV, ...BUILD_ENV] : []),
      ...(s === 'artifact-store' ? [...S3_ENV, ...ARTIFACT_ENV] : []),
      ...(s === 'boot' ? ['MUSTER_BOOT_PUBLIC_URL'] : []),
      ...(s === 'discovery' ? ['MUSTER_DISCOVERY_REPORT_RETENTION_HOURS'] : []),
      ...(s === 'agent-gateway' ? ['MUSTER_COMMAND_SIGNING_KEYS'] : []),
    ]),
  ]),
);
/** Without these a service cannot start (no default) or is unreachable in a container. */
const REQUIRED_ENV: Record<string, string[]> = Object.fromEntries(
  SERVICES.map((s) => [
    s,
    [
      'MUSTER_HTTP_HOST',
      'MUSTER_HTTP_PORT',
      'MUSTER_NATS_URL',
      'MUSTER_NATS_NKEY_SEED',
      'MUSTER_DATABASE_URL',
      ...(s === 'image-build' ? ['MUSTER_REDIS_URL'] : []),
      ...(s === 'artifact-store'
        ? [...S3_ENV.filter((k) => k !== 'MUSTER_S3_REGION'), 'MUSTER_RELEASE_SIGNING_KEYS']
        : []),
      ...(s === 'boot' ? ['MUSTER_BOOT_PUBLIC_URL'] : []),
      // Without it the gateway refuses every command (503 at the route, refused off the bus).
      ...(s === 'agent-gateway' ? ['MUSTER_COMMAND_SIGNING_KEYS'] : []),
    ],
  ]),
);

interface Validating {
  validate(): void;
}
/** The kinds the overlays may contain, by `apiVersion/kind`; anything else fails the test. */
const MODELS: Record<string, new (data: never) => Validating> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};

/** Runs a tool; a missing tool fails with the command that installs it (never a skip). */
const runTool = (command: string, args: string[], options: { cwd?: string } = {}) =>
  runInstalledTool(command, args, INSTALL, options);

/** The objects of the optional node component (deploy/k8s/components/image-build-node). */
const NODE_COMPONENT = 'image-build-node';
const isNodeComponent = (o: K8sObject) =>
  o.metadata.labels?.['app.kubernetes.io/component'] === NODE_COMPONENT;

function container(d: IDeployment): IContainer {
  const containers = d.spec?.template.spec?.containers ?? [];
  expect(containers, `${d.metadata?.name}: one container`).toHaveLength(1);
  return containers[0]!;
}

/** The port number a probe or Service targets, resolving a named container port. */
function portNumber(c: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

describe('tool check', () => {
  it('names the install command when a tool is missing', () => {
    expect(() => runTool('muster-no-such-tool', [])).toThrow(`install it with: ${INSTALL}`);
  });
});

/** A release-signing key ring as `npm run command-keys -- generate` prints it. */
const releaseKeyRing = () => keyRingEntry('release-test', generateSigningKey('release-test').seed);

/** The variables a ConfigError names (none when the configuration loads). */
function refusedVariables(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.variable}: ${i.message}`);
    throw error;
  }
  return [];
}

describe.each([
  { overlay: 'local', replicas: 1, minReplicas: 1, maxReplicas: 1, streamReplicas: 1 },
  { overlay: 'production', replicas: 3, minReplicas: 3, maxReplicas: undefined, streamReplicas: 3 },
])('deploy/k8s/overlays/$overlay', ({ overlay, replicas, minReplicas, maxReplicas, streamReplicas }) => {
  // Only the local overlay includes the optional node component.
  const nodeComponent = overlay === 'local';
  // Rendered on first use inside each test (not in beforeAll), so that a missing kubectl fails
  // every test instead of leaving them reported as skipped.
  let rendered: K8sObject[] | undefined;
  const rendering = () => (rendered ??= renderOverlay(overlay));
  const all = <T>(kind: string) => rendering().filter((o) => o.kind === kind) as unknown as T[];
  const named = <T>(kind: string, name: string) => {
    const found = rendering().find((o) => o.kind === kind && o.metadata.name === name);
    expect(found, `${kind} ${name}`).toBeDefined();
    return found as unknown as T;
  };

  it('renders only known kinds, each valid against the Kubernetes schema', () => {
    expect(rendering().length).toBeGreaterThan(0);
    for (const o of rendering()) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `unknown kind ${o.apiVersion}/${o.kind} (${o.metadata?.name})`).toBeDefined();
      expect(() => new Model!(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('puts the services in the muster namespace and the node component in muster-node, labelled as part of muster', () => {
    expect(
      rendering()
        .filter((o) => o.kind === 'Namespace')
        .map((o) => o.metadata.name),
    ).toEqual(nodeComponent ? ['muster', 'muster-node'] : ['muster']);
    expect(rendering().some(isNodeComponent)).toBe(nodeComponent);
    for (const o of rendering()) {
      const where = isNodeComponent(o) ? 'muster-node' : 'muster';
      if (o.kind === 'Namespace') expect(o.metadata.name, `Namespace ${o.metadata.name}`).toBe(where);
      else expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(where);
      expect(o.metadata.labels?.['app.kubernetes.io/part-of'], `${o.kind} ${o.metadata.name}`).toBe('muster');
    }
  });

  it('has a Deployment, Service, PodDisruptionBudget, HorizontalPodAutoscaler and NetworkPolicy per service', () => {
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']) {
      expect(
        rendering()
          .filter((o) => o.kind === kind)
          .map((o) => o.metadata.name)
          .sort(),
        kind,
      ).toEqual([...SERVICES].sort());
    }
    const policies = rendering()
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => o.metadata.name);
    expect(policies).toEqual(expect.arrayContaining([...SERVICES, 'default-deny', 'allow-dns']));
  });

  it('probes /readyz and /healthz on the container port of each Deployment, with limits', () => {
    for (const d of all<IDeployment>('Deployment')) {
      const name = d.metadata!.name!;
      const c = container(d);
      const port = PORTS[name];
      expect(port, `${name} is one of the seven services`).toBeDefined();
      expect(
        c.ports?.map((p) => p.containerPort),
        name,
      ).toEqual([port]);

      expect(c.readinessProbe?.httpGet?.path, `${name} readiness`).toBe('/readyz');
      expect(portNumber(c, c.readinessProbe?.httpGet?.port), `${name} readiness port`).toBe(port);
      expect(c.livenessProbe?.httpGet?.path, `${name} liveness`).toBe('/healthz');
      expect(portNumber(c, c.livenessProbe?.httpGet?.port), `${name} liveness port`).toBe(port);
      expect(c.startupProbe?.httpGet, `${name} startupProbe`).toBeDefined();
      expect(portNumber(c, c.startupProbe?.httpGet?.port), `${name} startup port`).toBe(port);

      expect(c.resources?.limits?.['cpu'], `${name} cpu limit`).toBeDefined();
      expect(c.resources?.limits?.['memory'], `${name} memory limit`).toBeDefined();
      expect(c.resources?.requests?.['cpu'], `${name} cpu request`).toBeDefined();
      expect(c.resources?.requests?.['memory'], `${name} memory request`).toBeDefined();

      const pod = d.spec!.template.spec!;
      expect(pod.terminationGracePeriodSeconds, name).toBeGreaterThanOrEqual(30);
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true);
      expect(c.securityContext?.readOnlyRootFilesystem, name).toBe(true);
      expect(
        c.volumeMounts?.map((m) => m.mountPath),
        `${name} writable /tmp`,
      ).toContain('/tmp');
    }
  });

  it('runs every service but image-build within the "restricted" Pod Security Standard', () => {
    for (const d of all<IDeployment>('Deployment').filter((d) => d.metadata!.name !== 'image-build')) {
      const name = d.metadata!.name!;
      const pod = d.spec!.template.spec!;
      const c = container(d);
      expect(pod.securityContext?.seccompProfile?.type, name).toBe('RuntimeDefault');
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true);
      expect(c.securityContext?.allowPrivilegeEscalation, name).toBe(false);
      expect(c.securityContext?.capabilities, name).toEqual({ drop: ['ALL'] });
      expect(c.securityContext?.privileged, name).not.toBe(true);
      expect(
        pod.volumes?.every((v) => v.emptyDir !== undefined),
        `${name}: emptyDir volumes only`,
      ).toBe(true);
    }
  });

  it('runs each service’s own image with the command the image defines (deploy/docker/Dockerfile)', () => {
    for (const d of all<IDeployment>('Deployment')) {
      const name = d.metadata!.name!;
      const c = container(d);
      expect(c.image, name).toMatch(new RegExp(`^muster/${name}:[\\w.-]+$`));
      // The image runs `node dist/main.js` in the service's directory; an override would bypass it.
      expect(c.command, name).toBeUndefined();
      expect(c.args, name).toBeUndefined();
      expect(c.workingDir, name).toBeUndefined();
    }
  });

  it('gives each service exactly the MUSTER_* variables it reads, from muster-config and muster-secrets', () => {
    const configs = all<IConfigMap>('ConfigMap');
    for (const d of all<IDeployment>('Deployment')) {
      const name = d.metadata!.name!;
      const c = container(d);
      expect(c.envFrom, `${name}: envFrom cannot be checked; list variables one by one`).toBeUndefined();
      const env = c.env ?? [];
      const names = env.map((e) => e.name);
      expect(new Set(names).size, `${name}: duplicate variables`).toBe(names.length);
      for (const n of names.filter((n) => n.startsWith('MUSTER_'))) {
        expect(ALLOWED_ENV[name]!.has(n), `${name} does not read ${n}`).toBe(true);
      }
      expect(names, name).toEqual(expect.arrayContaining(REQUIRED_ENV[name]!));

      const value = (key: string) => env.find((e) => e.name === key)?.value;
      expect(value('MUSTER_HTTP_HOST'), name).toBe('0.0.0.0');
      expect(value('MUSTER_HTTP_PORT'), name).toBe(String(PORTS[name]));

      for (const e of env) {
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm) {
          const map = configs.find((m) => m.metadata?.name === cm.name);
          expect(map, `${name} ${e.name}: ConfigMap ${cm.name}`).toBeDefined();
          if (!cm.optional) expect(Object.keys(map!.data ?? {}), `${name} ${e.name}`).toContain(cm.key);
        }
        const secret = e.valueFrom?.secretKeyRef;
        // The NATS seed comes from the service's own Secret; everything else from muster-secrets.
        if (secret && e.name !== 'MUSTER_NATS_NKEY_SEED')
          expect(secret.name, `${name} ${e.name}`).toBe('muster-secrets');
      }
      for (const secretVar of [
        'MUSTER_COMMAND_SIGNING_KEYS',
        'MUSTER_RELEASE_SIGNING_KEYS',
        'MUSTER_DATABASE_URL',
        'MUSTER_NATS_NKEY_SEED',
        'MUSTER_S3_SECRET_KEY',
        'MUSTER_REDIS_URL',
      ]) {
        const e = env.find((x) => x.name === secretVar);
        if (e) expect(e.valueFrom?.secretKeyRef, `${name} ${secretVar} comes from the Secret`).toBeDefined();
      }
    }
  });

  it('logs each service in to NATS as its own user, from a Secret of its own', () => {
    const secrets = all<IDeployment>('Deployment').map((d) => {
      const name = d.metadata!.name!;
      const ref = container(d).env?.find((e) => e.name === 'MUSTER_NATS_NKEY_SEED')?.valueFrom?.secretKeyRef;
      expect(ref, `${name}: MUSTER_NATS_NKEY_SEED from a Secret`).toBeDefined();
      expect(ref, name).toMatchObject({ name: `muster-nats-${name}`, key: 'nkey-seed' });
      expect(ref!.optional, `${name}: without its seed NATS would refuse it; fail visibly instead`).not.toBe(
        true,
      );
      return ref!.name;
    });
    expect(new Set(secrets).size).toBe(SERVICES.length);
  });

  it('selects each Deployment’s pods from its Service, PodDisruptionBudget and autoscaler', () => {
    for (const name of SERVICES) {
      const d = named<IDeployment>('Deployment', name);
      const labels = d.spec!.template.metadata!.labels!;
      const matches = (selector: Record<string, string> | undefined) =>
        Object.entries(selector ?? { none: 'none' }).every(([k, v]) => labels[k] === v);
      expect(matches(d.spec!.selector.matchLabels), `${name} Deployment selector`).toBe(true);

      const svc = named<IService>('Service', name);
      expect(matches(svc.spec?.selector), `${name} Service selector`).toBe(true);
      expect(portNumber(container(d), svc.spec?.ports?.[0]?.targetPort), name).toBe(PORTS[name]);
      expect(
        matches(named<IPodDisruptionBudget>('PodDisruptionBudget', name).spec?.selector?.matchLabels),
      ).toBe(true);
      const hpa = named<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler', name);
      expect(hpa.spec?.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    }
  });

  it(`keeps ${streamReplicas} cop(ies) of every stream, with limits every service accepts`, () => {
    const config = named<IConfigMap>('ConfigMap', configMapName(rendering(), 'muster-config'));
    const text = config.data?.['nats-streams'] ?? '';
    const parsed = streamLimitsValue().safeParse(text);
    expect(parsed.success, `nats-streams=${text}`).toBe(true);
    const overrides = parsed.success ? parsed.data : {};
    for (const spec of streams) {
      expect(effectiveLimits(spec, overrides).replicas, spec.name).toBe(streamReplicas);
    }
    const known = new Set<string>(['*', ...streams.map((s) => s.name)]);
    expect(Object.keys(overrides).filter((name) => !known.has(name))).toEqual([]);
    for (const d of all<IDeployment>('Deployment')) {
      const ref = container(d).env?.find((e) => e.name === 'MUSTER_NATS_STREAMS')?.valueFrom?.configMapKeyRef;
      expect(ref, d.metadata!.name).toMatchObject({ name: config.metadata!.name, key: 'nats-streams' });
    }
  });

  it('gives artifact-store its release-signing keys from muster-secrets and a volume to chunk build outputs in', () => {
    const d = named<IDeployment>('Deployment', 'artifact-store');
    const c = container(d);
    const keys = c.env?.find((e) => e.name === 'MUSTER_RELEASE_SIGNING_KEYS');
    expect(keys?.value, 'never a literal').toBeUndefined();
    expect(keys?.valueFrom?.secretKeyRef).toEqual({ name: 'muster-secrets', key: 'release-signing-keys' });

    // A volume of its own (not /tmp), bounded, and within the container's ephemeral storage.
    const workDir = c.env?.find((e) => e.name === 'MUSTER_INGEST_WORK_DIR')?.value;
    expect(workDir).toMatch(/^\/./);
    const mount = c.volumeMounts?.find((m) => m.mountPath === workDir);
    expect(mount, `a volume on ${workDir}`).toBeDefined();
    expect(mount!.readOnly).not.toBe(true);
    const volume = d.spec!.template.spec!.volumes!.find((v) => v.name === mount!.name);
    expect(volume?.emptyDir?.sizeLimit, `${mount!.name}: a bounded emptyDir`).toBeDefined();
    const size = quantityBytes(volume!.emptyDir!.sizeLimit!);
    // The base's 20 GiB; a laptop's disk gets 5 GiB (overlays/local).
    expect(size).toBe((overlay === 'local' ? 5 : 20) * 2 ** 30);
    const limit = c.resources?.limits?.['ephemeral-storage'];
    if (overlay === 'production') expect(quantityBytes(limit!)).toBeGreaterThan(size);

    // Once the Secrets exist, the service accepts exactly what it is given.
    const env = containerEnv(c, rendering(), {
      'muster-nats-artifact-store/nkey-seed': TEST_NKEY_SEED,
      'muster-secrets/artifact-store-database-url': 'postgres://muster:secret@postgres:5432/muster',
      'muster-secrets/s3-access-key': 'muster',
      'muster-secrets/s3-secret-key': 'secret',
      'muster-secrets/release-signing-keys': releaseKeyRing(),
    });
    expect(refusedVariables(() => loadConfig(serviceSchema(artifactStoreService), env))).toEqual([]);
  });

  it(`runs ${replicas} replica(s) per service within the autoscaler's range`, () => {
    for (const name of SERVICES) {
      expect(named<IDeployment>('Deployment', name).spec?.replicas, name).toBe(replicas);
      const hpa = named<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler', name).spec;
      expect(hpa.minReplicas, name).toBe(minReplicas);
      if (maxReplicas !== undefined) expect(hpa.maxReplicas, name).toBe(maxReplicas);
      else expect(hpa.maxReplicas, name).toBeGreaterThan(minReplicas);
    }
  });
});

interface ComposeService {
  image?: string;
  command?: unknown;
  entrypoint?: unknown;
  working_dir?: string;
  build?: { dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

/** `docker-compose config`, parsed: every service with its settings resolved. */
function composeServices(): Record<string, ComposeService> {
  const { status, stdout, stderr } = compose('config');
  expect(status, stderr).toBe(0);
  return (parse(stdout) as { services: Record<string, ComposeService> }).services;
}

describe(composeFile, () => {
  it('is valid for docker-compose (config -q exits 0)', () => {
    const { status, stderr } = compose('config', '-q');
    expect(status, stderr).toBe(0);
  });

  it('builds each service from deploy/docker/Dockerfile, health-checks /readyz and passes only its variables', () => {
    const services = composeServices();
    for (const name of SERVICES) {
      const s = services[name];
      expect(s, name).toBeDefined();
      expect(s!.build?.dockerfile, name).toBe('deploy/docker/Dockerfile');
      expect(s!.build?.args?.['SERVICE'], name).toBe(name);
      expect(s!.image, name).toBe(`muster/${name}:dev`);
      // The image's own command runs the compiled service; nothing here replaces it.
      expect(s!.command, name).toBeUndefined();
      expect(s!.entrypoint, name).toBeUndefined();
      expect(s!.working_dir, name).toBeUndefined();

      expect(s!.healthcheck?.disable, name).not.toBe(true);
      expect(s!.healthcheck?.test, `${name} healthcheck`).toBeDefined();
      expect(JSON.stringify(s!.healthcheck?.test), name).toContain('/readyz');

      const env = s!.environment ?? {};
      for (const n of Object.keys(env).filter((n) => n.startsWith('MUSTER_'))) {
        expect(ALLOWED_ENV[name]!.has(n), `${name} does not read ${n}`).toBe(true);
      }
      expect(Object.keys(env), name).toEqual(expect.arrayContaining(REQUIRED_ENV[name]!));
      expect(env['MUSTER_HTTP_HOST'], name).toBe('0.0.0.0');
      // Its own NATS user's seed, from the compose file's variable of that service.
      expect(s!.environment, name).toHaveProperty('MUSTER_NATS_NKEY_SEED');
      expect(env['MUSTER_HTTP_PORT'], name).toBe(String(PORTS[name]));

      expect(s!.depends_on?.['nats']?.condition, name).toBe('service_healthy');
      expect(s!.depends_on?.['postgres']?.condition, name).toBe('service_healthy');
    }
    expect(services['image-build']!.depends_on?.['redis']?.condition).toBe('service_healthy');
    expect(services['artifact-store']!.depends_on?.['minio-init']?.condition).toBe(
      'service_completed_successfully',
    );
    for (const infra of ['nats', 'postgres', 'redis', 'minio']) {
      expect(services[infra]?.healthcheck?.test, `${infra} healthcheck`).toBeDefined();
    }
  });

  it('gives artifact-store its release-signing keys from a variable of the .env file, and a named volume to chunk in', () => {
    // Never a literal in the file: the keys come from .env (deploy/compose/.env.example).
    const raw = parse(readFileSync(resolve(root, composeFile), 'utf8')) as {
      services: Record<string, ComposeService>;
    };
    expect(raw.services['artifact-store']!.environment?.['MUSTER_RELEASE_SIGNING_KEYS']).toBe(
      '${RELEASE_SIGNING_KEYS:-}',
    );
    const ring = releaseKeyRing();
    const { status, stdout, stderr } = runInstalledTool(
      'docker-compose',
      ['-f', 'docker-compose.yml', 'config'],
      INSTALL,
      {
        cwd: composeDir,
        env: { ...process.env, RELEASE_SIGNING_KEYS: ring, NATS_SEED_ARTIFACT_STORE: TEST_NKEY_SEED },
      },
    );
    expect(status, stderr).toBe(0);
    const s = (parse(stdout) as { services: Record<string, ComposeService> }).services['artifact-store']!;
    const env = Object.fromEntries(
      Object.entries(s.environment ?? {}).filter((e): e is [string, string] => e[1] !== null),
    );
    expect(env['MUSTER_RELEASE_SIGNING_KEYS']).toBe(ring);
    expect(refusedVariables(() => loadConfig(serviceSchema(artifactStoreService), env))).toEqual([]);

    // The work directory is a named volume (not the /tmp tmpfs), starting from a directory of
    // the image that the service's user (1000) owns.
    const workDir = env['MUSTER_INGEST_WORK_DIR'];
    const volume = (s.volumes ?? []).find((v) => v.split(':')[1] === workDir);
    expect(volume, `a volume on ${workDir}`).toBeDefined();
    expect(volume!.split(':')[0]).not.toMatch(/^[./]/);
    const dockerfile = readFileSync(resolve(root, 'deploy/docker/Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`artifact-store) install -d -o 1000 -g 1000 -m 0750 ${workDir} ;;`);
  });
});
