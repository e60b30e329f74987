import type { ServiceName } from './services.js';

/**
 * The one base URL: which service answers `/v1/<first segment>/…`. The local stack's proxy, the
 * compose nginx configuration and the Kubernetes Ingress are all rendered from this table
 * (tools/api-proxy), and the OpenAPI document checks that every route of every service is
 * reachable through it.
 */
export const httpRoutes: Readonly<Record<string, ServiceName>> = {
  sites: 'inventory',
  groups: 'inventory',
  profiles: 'inventory',
  'assignment-rules': 'inventory',
  machines: 'inventory',
  agents: 'agent-gateway',
  agent: 'agent-gateway',
  'bootstrap-tokens': 'agent-gateway',
  discovery: 'discovery',
  boot: 'boot',
  builds: 'image-build',
  releases: 'artifact-store',
  channels: 'artifact-store',
  chunks: 'artifact-store',
  manifests: 'artifact-store',
  gc: 'artifact-store',
  'site-caches': 'artifact-store',
  rollouts: 'scheduler',
  tokens: 'api',
  events: 'api',
  webhooks: 'api',
  'openapi.json': 'api',
};

/** The service owning a request path, or undefined when no service does. */
export function serviceForPath(path: string): ServiceName | undefined {
  const match = /^\/v1\/([^/?#]+)/.exec(path);
  return match ? httpRoutes[match[1]!] : undefined;
}

/** The one address of the local stack (`npm start`); the services keep their own ports. */
export const API_BASE_PORT = 8080;
