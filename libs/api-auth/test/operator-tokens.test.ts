import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { startNats, type NatsServerHandle } from '@muster/testing';
import { OperatorTokens, TokenIssuer, TokenStoreUnavailableError, tokensBucket } from '../src/index.js';

let dir: string;
let server: NatsServerHandle;
let admin: BusConnection;
let issuer: TokenIssuer;
const open: { close(): Promise<void> }[] = [];

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A service's checker on its own connection, as every service instance has one. */
async function checker(): Promise<OperatorTokens> {
  const bus = await BusConnection.connect({ servers: [server.url], name: 'checker' });
  const tokens = OperatorTokens.start(bus, { useFlushIntervalMs: 60_000 });
  open.push({ close: async () => (await tokens.close(), await bus.close()) });
  return tokens;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-tokens-'));
  server = await startNats({ dataDir: dir });
  admin = await BusConnection.connect({
    servers: [server.url],
    name: 'api',
    streams: streams.filter((s) => s.name === 'KV_API_TOKENS'),
  });
  issuer = new TokenIssuer(admin);
});

afterAll(async () => {
  for (const o of open) await o.close();
  await admin?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const bearer = (token: string) => `Bearer ${token}`;

describe('OperatorTokens', () => {
  it('admits a token created a moment ago and names its operator', async () => {
    const tokens = await checker();
    const { token, record } = await issuer.create({ name: 'alice', createdBy: 'test', expiresAt: null });
    const result = await tokens.authenticate(bearer(token));
    expect(result).toEqual({
      ok: true,
      operator: { tokenId: record.tokenId, name: 'alice', actor: 'operator:alice' },
    });
  });

  it('names why it refuses: missing, malformed, unknown, a wrong secret, expired', async () => {
    const tokens = await checker();
    const { token } = await issuer.create({ name: 'bob', createdBy: 'test', expiresAt: null });
    const { token: shortLived } = await issuer.create({
      name: 'carol',
      createdBy: 'test',
      expiresAt: new Date(Date.now() + 60_000),
    });
    const reason = async (header: string | undefined, now?: Date) => {
      const r = await tokens.authenticate(header, now);
      return r.ok ? 'ok' : r.reason;
    };
    expect(await reason(undefined)).toBe('missing');
    expect(await reason('')).toBe('missing');
    expect(await reason('Basic YWxpY2U6cHc=')).toBe('malformed');
    expect(await reason(`Bearer ${token}x`)).toBe('malformed');
    expect(await reason(bearer(`mst_0123456789abcdef_${'A'.repeat(43)}`))).toBe('unknown');
    const wrongSecret = token.slice(0, 22) + (token[22] === 'A' ? 'B' : 'A') + token.slice(23);
    expect(await reason(bearer(wrongSecret))).toBe('unknown');
    expect(await reason(bearer(shortLived))).toBe('ok');
    expect(await reason(bearer(shortLived), new Date(Date.now() + 61_000))).toBe('expired');
  });

  it('refuses a revoked token on every watching instance, without reading the bucket again', async () => {
    const [one, two] = [await checker(), await checker()];
    const { token, record } = await issuer.create({ name: 'dave', createdBy: 'test', expiresAt: null });
    expect((await one.authenticate(bearer(token))).ok).toBe(true);
    expect((await two.authenticate(bearer(token))).ok).toBe(true);
    await issuer.revoke(record.tokenId, 'operator:admin');
    for (const instance of [one, two]) {
      await until(async () => {
        const r = await instance.authenticate(bearer(token));
        return !r.ok && r.reason === 'revoked';
      }, 'the revocation');
    }
    expect(one.cache.all().find((t) => t.tokenId === record.tokenId)?.revokedBy).toBe('operator:admin');
    expect((await issuer.revoke(record.tokenId, 'operator:other')).changed).toBe(false);
  });

  it('records when a token was last used, in batches, and every instance sees it', async () => {
    const [user, reader] = [await checker(), await checker()];
    const { token, record } = await issuer.create({ name: 'erin', createdBy: 'test', expiresAt: null });
    const at = new Date('2026-01-02T03:04:05.000Z');
    await user.authenticate(bearer(token), at);
    await user.authenticate(bearer(token), at);
    expect(reader.cache.lastUsedAt(record.tokenId)).toBeUndefined();
    await user.flushUses();
    await until(() => reader.cache.lastUsedAt(record.tokenId) === at.toISOString(), 'the last use');
    const stored = await tokensBucket(admin).get(`used.${record.tokenId}`);
    expect(new TextDecoder().decode(stored!.value)).toBe(at.toISOString());
  });

  it('loads the whole bucket at start, and keeps answering from memory while the bus is down', async () => {
    const { token } = await issuer.create({ name: 'frank', createdBy: 'test', expiresAt: null });
    const bus = await BusConnection.connect({ servers: [server.url], name: 'late' });
    const tokens = OperatorTokens.start(bus);
    await tokens.cache.whenLoaded();
    expect(tokens.cache.all().map((t) => t.name)).toContain('frank');
    await bus.close();
    expect((await tokens.authenticate(bearer(token))).ok).toBe(true);
    await expect(tokens.authenticate(bearer(`mst_fedcba9876543210_${'B'.repeat(43)}`))).rejects.toThrow(
      TokenStoreUnavailableError,
    );
    await tokens.close();
  });

  it('never overwrites a token: a second create with the same id fails', async () => {
    const { record } = await issuer.create({ name: 'gina', createdBy: 'test', expiresAt: null });
    await expect(tokensBucket(admin).put(`token.${record.tokenId}`, '{}', 0)).rejects.toThrow();
    expect((await issuer.get(record.tokenId))?.record.name).toBe('gina');
  });
});
