// The site cache as a unit of its own, deployed at a site (deploy/k8s/site-cache) and in the
// compose stack: it renders, every object is valid against the Kubernetes schemas, it runs
// within the "restricted" Pod Security Standard, keeps its store on a persistent volume larger
// than its disk limit, is probed on its health paths, and gets exactly the variables the
// service reads — which its own configuration schema accepts once a site has set its values.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import {
  PodDisruptionBudget,
  type IPodDisruptionBudget,
} from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace, type INamespace } from 'kubernetes-models/v1/Namespace';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ConfigError, loadConfig } from '@muster/config';
import { PROBE_PATHS, serviceSchema } from '@muster/runtime';
import { siteCacheService } from '../../services/site-cache/src/service.entry.js';
import { composeDir, renderKustomization, root, runTool, type K8sObject } from './deploy-tools.js';
import { containerEnv, quantityBytes, TEST_NKEY_SEED } from './pod-env.js';

const INSTALL = 'apt-get install -y kubernetes-client docker-compose';
const PORT = siteCacheService.httpPort;
const NAMESPACE = 'muster-site';
const SECRETS = { 'muster-nats-site-cache/nkey-seed': TEST_NKEY_SEED };
/** The service's whole configuration: anything else set, or anything required missing, stops it. */
const schema = serviceSchema(siteCacheService);

interface Validating {
  validate(): void;
}
const MODELS: Record<string, new (data: never) => Validating> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

/** The variables a ConfigError names. */
function refusedVariables(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => i.variable).sort();
    throw error;
  }
  return [];
}

describe.each([
  { dir: 'deploy/k8s/site-cache/base', siteSet: false },
  { dir: 'deploy/k8s/site-cache/example-site', siteSet: true },
])('$dir', ({ dir, siteSet }) => {
  // Rendered on first use inside each test, so that a missing kubectl fails every test.
  let rendered: K8sObject[] | undefined;
  const rendering = () => (rendered ??= renderKustomization(dir));
  const only = <T>(kind: string): T => {
    const found = rendering().filter((o) => o.kind === kind);
    expect(
      found.map((o) => o.metadata.name),
      kind,
    ).toEqual([kind === 'Namespace' ? NAMESPACE : 'site-cache']);
    return found[0] as unknown as T;
  };
  const statefulSet = () => only<IStatefulSet>('StatefulSet');
  const container = (): IContainer => {
    const containers = statefulSet().spec!.template.spec!.containers;
    expect(containers).toHaveLength(1);
    return containers[0]!;
  };
  const env = () => containerEnv(container(), rendering(), SECRETS);

  it('renders only known kinds, each valid against the Kubernetes schema, in its own namespace', () => {
    for (const o of rendering()) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `unexpected kind ${o.apiVersion}/${o.kind} (${o.metadata.name})`).toBeDefined();
      expect(() => new Model!(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
      if (o.kind !== 'Namespace')
        expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(NAMESPACE);
      expect(o.metadata.labels?.['app.kubernetes.io/part-of'], `${o.kind} ${o.metadata.name}`).toBe('muster');
    }
    const ns = only<INamespace>('Namespace');
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const policies = rendering()
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => o.metadata.name);
    expect(policies.sort()).toEqual(['allow-dns', 'default-deny', 'site-cache']);
  });

  it('runs one replica within the "restricted" Pod Security Standard, with limits', () => {
    const set = statefulSet();
    expect(set.spec?.replicas).toBe(1);
    const pod = set.spec!.template.spec!;
    const c = container();
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork || pod.hostPID || pod.hostIPC).toBeFalsy();
    expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext?.capabilities).toEqual({ drop: ['ALL'] });
    expect(c.securityContext?.privileged).not.toBe(true);
    expect(c.ports?.some((p) => p.hostPort)).toBeFalsy();
    expect(pod.volumes?.every((v) => v.emptyDir !== undefined)).toBe(true);
    for (const kind of ['limits', 'requests'] as const)
      for (const resource of ['cpu', 'memory'])
        expect(c.resources?.[kind]?.[resource], `${kind}.${resource}`).toBeDefined();
    // The image runs `node dist/main.js` in the service's directory; an override would bypass it.
    expect(c.image).toMatch(/(^|\/)muster\/site-cache:[\w.-]+$/);
    expect(c.command).toBeUndefined();
    expect(c.args).toBeUndefined();
  });

  it('probes its health paths on its HTTP port, reached directly by the site through its Service', () => {
    const c = container();
    expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([['http', PORT]]);
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(c.startupProbe?.httpGet?.path).toBe('/healthz');
    const annotations = statefulSet().spec!.template.metadata!.annotations!;
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    expect(annotations['prometheus.io/port']).toBe(String(PORT));
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      expect(PROBE_PATHS.has(probe!.httpGet!.path!)).toBe(true);
      expect(probe!.httpGet!.port).toBe('http');
    }

    const labels = statefulSet().spec!.template.metadata!.labels!;
    const matches = (selector: Record<string, string> | undefined) =>
      Object.entries(selector ?? { none: 'none' }).every(([k, v]) => labels[k] === v);
    expect(matches(statefulSet().spec!.selector.matchLabels)).toBe(true);
    const svc = only<IService>('Service');
    expect(statefulSet().spec!.serviceName).toBe(svc.metadata!.name);
    expect(matches(svc.spec?.selector)).toBe(true);
    expect(svc.spec?.type).toBe('LoadBalancer');
    expect(svc.spec?.ports?.map((p) => [p.port, p.targetPort])).toEqual([[PORT, 'http']]);
    expect(matches(only<IPodDisruptionBudget>('PodDisruptionBudget').spec?.selector?.matchLabels)).toBe(true);
  });

  it('keeps its store on a persistent volume larger than its disk limit, kept when the set goes', () => {
    const set = statefulSet();
    const claims = set.spec!.volumeClaimTemplates ?? [];
    expect(claims.map((t) => t.metadata?.name)).toEqual(['data']);
    expect(claims[0]!.spec?.accessModes).toEqual(['ReadWriteOnce']);
    const mount = container().volumeMounts?.find((m) => m.name === 'data');
    expect(mount?.mountPath).toBe(env()['MUSTER_SITE_CACHE_DIR']);
    expect(mount?.readOnly).not.toBe(true);
    expect(container().volumeMounts?.map((m) => m.mountPath)).toContain('/tmp');
    const storage = quantityBytes(claims[0]!.spec!.resources!.requests!['storage']!);
    expect(storage).toBeGreaterThanOrEqual(1.1 * Number(env()['MUSTER_SITE_CACHE_MAX_BYTES']));
    expect(set.spec!.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    // Millions of files: no recursive chown at every start.
    expect(set.spec!.template.spec!.securityContext?.fsGroupChangePolicy).toBe('OnRootMismatch');
  });

  it('logs in to NATS as its own user and reads no database', () => {
    const ref = container().env?.find((e) => e.name === 'MUSTER_NATS_NKEY_SEED')?.valueFrom?.secretKeyRef;
    expect(ref).toMatchObject({ name: 'muster-nats-site-cache', key: 'nkey-seed' });
    expect(ref!.optional).not.toBe(true);
    expect(Object.keys(env()).filter((n) => n.startsWith('MUSTER_DATABASE'))).toEqual([]);
    expect(env()['MUSTER_HTTP_HOST']).toBe('0.0.0.0');
    expect(env()['MUSTER_HTTP_PORT']).toBe(String(PORT));
  });

  if (siteSet)
    it('gives the service a configuration it accepts: the site, the origin, NATS and the public URL set', () => {
      expect(refusedVariables(() => loadConfig(schema, env()))).toEqual([]);
      const config = loadConfig(schema, env());
      expect(config.siteCache.publicUrl).toBeDefined();
      expect(config.siteCache.maxBytes).toBe(Number(env()['MUSTER_SITE_CACHE_MAX_BYTES']));
    });
  else
    it('leaves the site’s values empty, so that an unset site stops the service naming them', () => {
      expect(refusedVariables(() => loadConfig(schema, env()))).toEqual([
        'MUSTER_NATS_URL',
        'MUSTER_SITE_CACHE_ORIGIN',
        'MUSTER_SITE_ID',
      ]);
      expect(env()['MUSTER_SITE_CACHE_PUBLIC_URL']).toBe('');
    });
});

interface ComposeService {
  image?: string;
  command?: unknown;
  read_only?: boolean;
  build?: { dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] | string };
  volumes?: (string | { source?: string; target?: string })[];
  depends_on?: Record<string, { condition: string }>;
}

describe('deploy/compose/docker-compose.yml: site-cache', () => {
  const services = () => {
    const { status, stdout, stderr } = runTool(
      'docker-compose',
      ['-f', 'docker-compose.yml', 'config'],
      INSTALL,
      { cwd: composeDir, env: { ...process.env, NATS_SEED_SITE_CACHE: TEST_NKEY_SEED } },
    );
    expect(status, stderr).toBe(0);
    return (parse(stdout) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> })
      .services;
  };

  it('builds the service’s image, health-checks /readyz and passes a configuration it accepts', () => {
    const s = services()['site-cache']!;
    expect(s.build?.dockerfile).toBe('deploy/docker/Dockerfile');
    expect(s.build?.args?.['SERVICE']).toBe('site-cache');
    expect(s.image).toBe('muster/site-cache:dev');
    expect(s.command).toBeUndefined();
    expect(s.read_only).toBe(true);
    expect(JSON.stringify(s.healthcheck?.test)).toContain('/readyz');
    const env = Object.fromEntries(
      Object.entries(s.environment ?? {}).filter((e): e is [string, string] => e[1] !== null),
    );
    expect(refusedVariables(() => loadConfig(schema, env))).toEqual([]);
    expect(env['MUSTER_HTTP_PORT']).toBe(String(PORT));
    // It reads through the one base URL, not past it.
    expect(env['MUSTER_SITE_CACHE_ORIGIN']).toBe('http://api-gateway:8080');
    expect(s.depends_on?.['nats']?.condition).toBe('service_healthy');
    expect(s.depends_on?.['postgres']).toBeUndefined();
  });

  it('keeps its store on a named volume, which starts from a directory of the image its user owns', () => {
    const s = services()['site-cache']!;
    const dir = s.environment?.['MUSTER_SITE_CACHE_DIR'];
    expect(dir).toMatch(/^\//);
    const volume = (s.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))
      .find((v) => v.split(':')[1] === dir);
    expect(volume, `a volume on ${dir}`).toBeDefined();
    expect(volume!.split(':')[0]).not.toMatch(/^[./]/);
    // A named volume copies the owner of the image's directory; the service runs as 1000.
    const dockerfile = readFileSync(resolve(root, 'deploy/docker/Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`site-cache) install -d -o 1000 -g 1000 -m 0750 ${dir} ;;`);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
  });
});
