import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OperatorAuth } from '@muster/runtime';
import { operatorFetch, startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { TokenAuditRepository } from '../../services/api/src/tokens/token-audit.repository.js';
import { ensureAllStreams, serviceEntry, serviceTestEnv } from '../edges/service-entries.js';

let api: RunningService;
let inventory: RunningService;
let discovery: RunningService;

beforeAll(async () => {
  const servers = inject('servers');
  await ensureAllStreams(servers.nats.url);
  const start = async (name: string) =>
    startServiceInProcess(
      await serviceEntry(name),
      serviceTestEnv(servers, { MUSTER_HTTP_RATE_LIMIT_PER_MINUTE: '0' }),
    );
  [api, inventory, discovery] = await Promise.all([start('api'), start('inventory'), start('discovery')]);
});
afterAll(async () => {
  await Promise.all([api?.close(), inventory?.close(), discovery?.close()]);
});

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

interface Created {
  tokenId: string;
  token: string;
  name: string;
  state: string;
  expiresAt: string | null;
  createdBy: string;
}

describe('operator API tokens', () => {
  it('creates a token, shown once, that every service admits at once', async () => {
    const res = await operatorFetch(api, '/v1/tokens', json({ name: 'ci-runner', expiresInDays: 30 }));
    expect(res.status).toBe(201);
    const created = (await res.json()) as Created;
    expect(created).toMatchObject({
      name: 'ci-runner',
      state: 'active',
      createdBy: 'operator:test-operator',
    });
    expect(created.token).toMatch(new RegExp(`^mst_${created.tokenId}_`));
    expect(Date.parse(created.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    for (const service of [inventory, discovery]) {
      const path = service === inventory ? '/v1/machines' : '/v1/discovery/conflicts';
      expect((await operatorFetch({ url: service.url, token: created.token }, path)).status).toBe(200);
    }
    const listed = (await (await operatorFetch(api, '/v1/tokens?limit=1000')).json()) as {
      tokens: Record<string, unknown>[];
    };
    const shown = listed.tokens.find((t) => t['tokenId'] === created.tokenId)!;
    expect(shown).toMatchObject({ name: 'ci-runner', state: 'active' });
    expect(JSON.stringify(listed)).not.toContain(created.token.split('_').at(-1));
    expect(shown).not.toHaveProperty('secretHash');
    expect(shown).not.toHaveProperty('token');
  });

  it('revokes a token: every service refuses it within seconds, naming why', async () => {
    const created = (await (
      await operatorFetch(api, '/v1/tokens', json({ name: 'leaving' }))
    ).json()) as Created;
    const holder = (url: string) => ({ url, token: created.token });
    expect((await operatorFetch(holder(inventory.url), '/v1/machines')).status).toBe(200);
    expect((await operatorFetch(holder(discovery.url), '/v1/discovery/conflicts')).status).toBe(200);

    const revoked = await operatorFetch(api, `/v1/tokens/${created.tokenId}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ state: 'revoked', revokedBy: 'operator:test-operator' });

    for (const [url, path] of [
      [inventory.url, '/v1/machines'],
      [discovery.url, '/v1/discovery/conflicts'],
      [api.url, '/v1/tokens'],
    ] as const) {
      await until(async () => (await operatorFetch(holder(url), path)).status === 401, `${url} to refuse`);
      const res = await operatorFetch(holder(url), path);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
      expect(await res.json()).toMatchObject({
        type: 'https://muster.dev/problems/unauthorized',
        status: 401,
        reason: 'revoked',
      });
    }
    // Revoking again changes nothing; the audit has one creation and one revocation, by whom.
    expect((await operatorFetch(api, `/v1/tokens/${created.tokenId}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    expect(await api.app.get(TokenAuditRepository).history(created.tokenId)).toEqual([
      { action: 'created', actor: 'operator:test-operator' },
      { action: 'revoked', actor: 'operator:test-operator' },
    ]);
  });

  it('refuses a request without a token, or with a malformed or unknown one, with a 401 saying which', async () => {
    const reason = async (headers: Record<string, string>) => {
      const res = await fetch(`${inventory.url}/v1/machines`, { headers });
      expect(res.status).toBe(401);
      return ((await res.json()) as { reason: string }).reason;
    };
    expect(await reason({})).toBe('missing');
    expect(await reason({ authorization: 'Bearer nope' })).toBe('malformed');
    expect(await reason({ authorization: `Bearer mst_0123456789abcdef_${'x'.repeat(43)}` })).toBe('unknown');
  });

  it('refuses before reading the body: a large body without a token is a 401, not a 413', async () => {
    const res = await fetch(`${inventory.url}/v1/sites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteId: 'site-a', pad: 'x'.repeat(4 * 1024 * 1024) }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'missing' });
  });

  it('answers the probes and the OWN routes without a token', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await fetch(`${inventory.url}${path}`)).status, path).toBe(200);
    }
    // The discovery environment reports without a token (an empty report is refused on its merits).
    const report = await fetch(`${discovery.url}/v1/discovery/reports`, json({}));
    expect(report.status).toBe(400);
  });

  it('shows when a token was last used, written in batches', async () => {
    const created = (await (
      await operatorFetch(api, '/v1/tokens', json({ name: 'used-one' }))
    ).json()) as Created;
    expect((await operatorFetch({ url: inventory.url, token: created.token }, '/v1/machines')).status).toBe(
      200,
    );
    await inventory.app.get(OperatorAuth).tokens.flushUses();
    await until(async () => {
      const { tokens } = (await (await operatorFetch(api, '/v1/tokens?limit=1000')).json()) as {
        tokens: { tokenId: string; lastUsedAt: string | null }[];
      };
      return tokens.find((t) => t.tokenId === created.tokenId)?.lastUsedAt != null;
    }, 'the last use');
  });

  it('serves the one OpenAPI document, without a token, as docs/api/openapi.json has it', async () => {
    const res = await fetch(`${api.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    const onDisk = JSON.parse(
      await readFile(join(import.meta.dirname, '..', '..', 'docs', 'api', 'openapi.json'), 'utf8'),
    ) as unknown;
    expect(await res.json()).toEqual(onDisk);
  });

  it('refuses a bad name, an unknown token id and a malformed one', async () => {
    const bad = await operatorFetch(api, '/v1/tokens', json({ name: 'has space' }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ 'invalid-params': [{ name: 'name', in: 'body' }] });
    expect((await operatorFetch(api, '/v1/tokens/0123456789abcdef', { method: 'DELETE' })).status).toBe(404);
    expect((await operatorFetch(api, '/v1/tokens/NOTATOKEN', { method: 'DELETE' })).status).toBe(400);
  });

  it('pages the list with a cursor', async () => {
    for (const n of [1, 2, 3]) await operatorFetch(api, '/v1/tokens', json({ name: `pager-${n}` }));
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const res = await operatorFetch(api, `/v1/tokens?limit=2${after ? `&after=${after}` : ''}`);
      const page = (await res.json()) as { tokens: { tokenId: string }[]; next?: string };
      expect(page.tokens.length).toBeLessThanOrEqual(2);
      seen.push(...page.tokens.map((t) => t.tokenId));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });
});
