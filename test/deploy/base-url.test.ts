// The one base URL in every deployment: the compose nginx configuration and the Kubernetes
// Ingress are what `npm run deploy:routes` renders from the routing table the local stack's
// proxy uses (libs/contracts/src/http-routes.ts), and route exactly its segments.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { httpRoutes } from '@muster/contracts';
import { ROUTE_FILES } from '../../tools/deploy-routes/render-routes.js';
import { SERVICES } from '../../tools/stack/stack-plan.js';

const root = resolve(import.meta.dirname, '../..');
const table = Object.entries(httpRoutes)
  .map(([segment, service]) => `${segment} → ${service}`)
  .sort();

describe('the base URL of the deployments', () => {
  it('is what npm run deploy:routes renders from the routing table (run it after changing the table)', async () => {
    for (const [file, render] of Object.entries(ROUTE_FILES)) {
      expect(await readFile(resolve(root, file), 'utf8'), `${file} is stale: run npm run deploy:routes`).toBe(
        render(),
      );
    }
  });

  it('routes in nginx exactly the segments of the table, each to its service port', async () => {
    const conf = await readFile(resolve(root, 'deploy/compose/nginx.conf'), 'utf8');
    const routed: string[] = [];
    for (const [, segments, service, port] of conf.matchAll(
      /location ~ \^\/v1\/\(([^)]*)\)\(\/\|\$\) \{\s*proxy_pass http:\/\/([\w-]+):(\d+);/g,
    )) {
      expect(Number(port), service).toBe(SERVICES.find((s) => s.name === service)?.port);
      for (const segment of segments!.split('|'))
        routed.push(`${segment.replace(/\\\./g, '.')} → ${service}`);
    }
    expect(routed.sort()).toEqual(table);
    expect(conf).toContain('proxy_buffering off;');
    expect(conf).toContain('proxy_set_header Upgrade $http_upgrade;');
  });

  it('routes in the Ingress (as kustomize renders it) exactly the segments of the table', () => {
    const out = spawnSync('kubectl', ['kustomize', 'deploy/k8s/overlays/production'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    const ingresses = parseAllDocuments(out.stdout)
      .map((d) => d.toJS() as { kind: string; spec?: { rules: { http: { paths: IngressPath[] } }[] } })
      .filter((o) => o.kind === 'Ingress');
    expect(ingresses).toHaveLength(1);
    const routed = ingresses[0]!.spec!.rules.flatMap((r) =>
      r.http.paths.map((p) => {
        expect(p.pathType).toBe('Prefix');
        expect(p.backend.service.port.name).toBe('http');
        return `${p.path.replace(/^\/v1\//, '')} → ${p.backend.service.name}`;
      }),
    );
    expect(routed.sort()).toEqual(table);
  });

  it('serves it on 8080 in compose, nginx reading the generated configuration, after every service', () => {
    // In deploy/compose, where docker-compose 1.x finds the seccomp profile the file names.
    const out = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      cwd: resolve(root, 'deploy/compose'),
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    const gateway = (parse(out.stdout) as { services: Record<string, ComposeGateway> }).services[
      'api-gateway'
    ]!;
    expect(gateway.image).toMatch(/^nginx:/);
    expect(JSON.stringify(gateway.volumes)).toContain('nginx.conf');
    expect(JSON.stringify(gateway.ports)).toContain('8080');
    // The site cache sits in front of the gateway (it reads through it), never behind it.
    const behind = SERVICES.filter((s) => !(s.needs as readonly string[]).includes('site'));
    expect(Object.keys(gateway.depends_on ?? {}).sort()).toEqual(behind.map((s) => s.name).sort());
  });
});

interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string; port: { name: string } } };
}
interface ComposeGateway {
  image: string;
  volumes?: unknown;
  ports?: unknown;
  depends_on?: Record<string, unknown>;
}
