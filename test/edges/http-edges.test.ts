// Every route of every service, tried as an attacker would: NUL, lone surrogates, control
// characters and bidi overrides in the query, the path and the body, repeated query
// parameters, oversized and non-JSON bodies. Each must be refused with the right status as
// application/problem+json naming the field, never a 500. Routes come from the router of the
// running service and services from the services/ directory, so a new one is walked too.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routesOf, type RouteEntry } from '@muster/runtime';
import { operatorFetch, startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { REPO_ROOT } from '../../tools/stack/service-process.js';
import { ensureAllStreams, serviceEntry, serviceNames, serviceTestEnv } from './service-entries.js';
import { MAX_BUNDLE_BYTES } from '@muster/recipes';

const PROBLEM = 'https://muster.dev/problems/';

/** Each kind of bad text, percent-encoded for a URL and as a JSON string value. */
const BAD = [
  { kind: 'NUL', url: '%00', text: '\u0000' },
  { kind: 'lone surrogate', url: '%ED%A0%80', text: '\ud800' },
  { kind: 'C0 control', url: '%1B', text: '\u001b' },
  { kind: 'C1 control', url: '%C2%85', text: '\u0085' },
  { kind: 'bidi override', url: '%E2%80%AE', text: '\u202e' },
  { kind: 'bidi isolate', url: '%E2%81%A6', text: '\u2066' },
] as const;

interface Probe {
  what: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  status: number;
  type: string;
  /** The field the problem must name (`invalid-params`), for a 400. */
  names?: { name: string; in: string };
}

const VALID_PARAM = '0b8a7f1e-4c1d-4a53-9d0e-3c2f7a1b9e10';
const fill = (path: string, param: string, value: string) =>
  path.replace(/:(\w+)/g, (_, name: string) => (name === param ? value : VALID_PARAM));

function probesFor(route: RouteEntry): Probe[] {
  const probes: Probe[] = [];
  const invalid = (what: string, path: string, name: string, where: string, extra: Partial<Probe> = {}) =>
    probes.push({
      what,
      method: route.method,
      path,
      status: 400,
      type: `${PROBLEM}invalid-input`,
      names: { name, in: where },
      ...extra,
    });
  const base = fill(route.path, '', '');
  const sendsBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  const json = sendsBody ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {};
  for (const bad of BAD) {
    invalid(`${bad.kind} in a query value`, `${base}?name=a${bad.url}`, 'name', 'query', json);
    // A name that is not valid UTF-8 cannot be decoded, so the problem names it as sent.
    const sentName = bad.kind === 'lone surrogate' ? `na${bad.url}me` : `na${bad.text}me`;
    invalid(`${bad.kind} in a query name`, `${base}?na${bad.url}me=a`, sentName, 'query', json);
    for (const [, param] of route.path.matchAll(/:(\w+)/g)) {
      invalid(
        `${bad.kind} in path parameter ${param}`,
        fill(route.path, param!, `a${bad.url}`),
        param!,
        'path',
        json,
      );
    }
    if (sendsBody) {
      const body = JSON.stringify({ name: `a${bad.text}`, nested: { ok: 'x' } });
      invalid(`${bad.kind} in a body string`, base, 'name', 'body', { headers: json.headers, body });
      const key = JSON.stringify({ [`k${bad.text}`]: 'v' });
      invalid(`${bad.kind} in a body key`, base, `k${bad.text}`, 'body', {
        headers: json.headers,
        body: key,
      });
    }
  }
  invalid('a repeated query parameter', `${base}?limit=1&limit=2`, 'limit', 'query', json);
  invalid(
    'a repeated query parameter, spelled two ways',
    `${base}?limit=1&li%6Dit=2`,
    'limit',
    'query',
    json,
  );
  if (sendsBody) {
    invalid('invalid UTF-8 in the body', base, 'body', 'body', {
      headers: json.headers,
      body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
    });
    invalid('a body that is not JSON', base, 'body', 'body', { headers: json.headers, body: '{"a":' });
    probes.push({
      what: 'a body over the limit',
      method: route.method,
      path: base,
      headers: json.headers,
      // Above the route's own limit: a build's recipe bundle may weigh up to MAX_BUNDLE_BYTES.
      body: JSON.stringify({
        pad: 'x'.repeat(base === '/v1/builds' ? MAX_BUNDLE_BYTES + 65 * 1024 : 2 * 1024 * 1024),
      }),
      status: 413,
      type: `${PROBLEM}body-too-large`,
    });
    probes.push({
      what: 'a body that is not JSON by its type',
      method: route.method,
      path: base,
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
      status: 415,
      type: `${PROBLEM}unsupported-media-type`,
    });
  }
  return probes;
}

/** What is wrong with the answer to a probe (made with an operator token), or undefined when it is right. */
async function check(service: RunningService, probe: Probe): Promise<string | undefined> {
  const res = await operatorFetch(service, probe.path, {
    method: probe.method,
    ...(probe.headers ? { headers: probe.headers } : {}),
    ...(probe.body === undefined ? {} : { body: probe.body }),
  });
  const text = await res.text();
  const where = `${probe.method} ${probe.path.slice(0, 80)} (${probe.what})`;
  if (res.status !== probe.status)
    return `${where}: ${res.status} instead of ${probe.status}: ${text.slice(0, 200)}`;
  if (!res.headers.get('content-type')?.startsWith('application/problem+json'))
    return `${where}: content-type ${res.headers.get('content-type')}`;
  // A HEAD answer has the problem's status and type header but no body to name the field in.
  if (probe.method === 'HEAD') return undefined;
  const problem = JSON.parse(text) as {
    type?: string;
    status?: number;
    'invalid-params'?: { name: string; in: string }[];
  };
  if (problem.type !== probe.type || problem.status !== probe.status)
    return `${where}: ${text.slice(0, 200)}`;
  if (
    probe.names &&
    !problem['invalid-params']?.some((p) => p.name === probe.names!.name && p.in === probe.names!.in)
  )
    return `${where}: does not name ${probe.names.in} ${JSON.stringify(probe.names.name)}: ${text.slice(0, 300)}`;
  return undefined;
}

describe.each(serviceNames)('every route of %s', (name) => {
  let service: RunningService;

  beforeAll(async () => {
    const env = serviceTestEnv(inject('servers'), { MUSTER_HTTP_RATE_LIMIT_PER_MINUTE: '0' });
    await ensureAllStreams(env.MUSTER_NATS_URL!);
    service = await startServiceInProcess(await serviceEntry(name), env);
  });
  afterAll(async () => service?.close());

  it('refuses bad input with a 400 (413, 415) problem naming the field, never a 500', async () => {
    const routes = routesOf(service.app);
    expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
    expect(routes.some((r) => r.path.startsWith('/v1/'))).toBe(true);
    const failures: string[] = [];
    let probed = 0;
    for (const route of routes) {
      for (const probe of probesFor(route)) {
        probed++;
        const wrong = await check(service, probe);
        if (wrong) failures.push(wrong);
      }
    }
    expect(failures).toEqual([]);
    expect(probed).toBeGreaterThanOrEqual(routes.length * 13);
  });

  it('is in the one OpenAPI document, every route, and refuses each operator route without a token', async () => {
    // The site cache runs at a site, at its own address: its routes have their own document.
    const file = name === 'site-cache' ? 'site-cache.openapi.json' : 'openapi.json';
    const doc = JSON.parse(await readFile(join(REPO_ROOT, 'docs', 'api', file), 'utf8')) as {
      paths: Record<string, Record<string, { 'x-muster-own-authentication'?: string }>>;
    };
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const route of routesOf(service.app)) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      if (!op) {
        missing.push(`${route.method} ${route.path}`);
        continue;
      }
      const res = await fetch(`${service.url}${fill(route.path, '', '')}`, {
        method: route.method,
        ...(['POST', 'PUT', 'PATCH'].includes(route.method)
          ? { headers: { 'content-type': 'application/json' }, body: '{}' }
          : {}),
      });
      const own = op['x-muster-own-authentication'] !== undefined;
      if ((res.status === 401) === own)
        wrong.push(`${route.method} ${route.path}: ${res.status}, own=${own}`);
      await res.body?.cancel();
    }
    expect(missing, 'run npm run openapi').toEqual([]);
    expect(wrong).toEqual([]);
  });

  it('answers an unknown route with a not-found problem', async () => {
    const failure = await check(service, {
      what: 'unknown route',
      method: 'GET',
      path: '/v1/no-such-thing',
      status: 404,
      type: `${PROBLEM}not-found`,
    });
    expect(failure).toBeUndefined();
  });
});

describe('the rate limit on the API', () => {
  let service: RunningService;

  beforeAll(async () => {
    const env = serviceTestEnv(inject('servers'), {
      MUSTER_HTTP_RATE_LIMIT_PER_MINUTE: '1',
      MUSTER_HTTP_RATE_LIMIT_BURST: '2',
    });
    await ensureAllStreams(env.MUSTER_NATS_URL!);
    service = await startServiceInProcess(await serviceEntry('scheduler'), env);
  });
  afterAll(async () => service?.close());

  it('answers 429 with Retry-After past the burst, and never limits the probes', async () => {
    expect((await operatorFetch(service, '/v1/rollouts')).status).toBe(200);
    expect((await operatorFetch(service, '/v1/rollouts?limit=0')).status).toBe(400);
    const limited = await operatorFetch(service, '/v1/rollouts');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await limited.json()).toMatchObject({ type: `${PROBLEM}rate-limited`, status: 429 });
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    }
  });
});
