import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorTokens, parseToken, TokenIssuer } from '@muster/api-auth';
import { BusConnection } from '@muster/messaging';
import { startNats, type NatsServerHandle } from '@muster/testing';
import { runApiTokenCommand } from './api-token-commands.js';
import { ensureOperatorFile } from './operator-file.js';

let dir: string;
let server: NatsServerHandle;
let bus: BusConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-api-token-'));
  // Every client must log in (as in the local stack): the administrator's URL carries the password.
  server = await startNats({ dataDir: join(dir, 'nats'), anonymousAdmin: false });
  // As the tool connects: the administrator, on a bus where the api service never ran.
  bus = await BusConnection.connect({
    servers: [`nats://admin:${server.credentials.admin.password}@127.0.0.1:${server.port}`],
    name: 'api-token-tool',
    failFast: true,
  });
});
afterAll(async () => {
  await bus?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const { parseApiTokenArgs } = await import('./api-token-args.js');
  const out: string[] = [];
  const err: string[] = [];
  const code = await runApiTokenCommand(
    bus,
    parseApiTokenArgs(argv),
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

describe('npm run api-token', () => {
  it('creates a token, printed alone on stdout, that the services admit; lists and revokes it', async () => {
    const created = await run('create', '--name', 'first-admin', '--expires-in-days', '7');
    expect(created.code).toBe(0);
    expect(created.out).toHaveLength(1);
    const token = created.out[0]!;
    const { tokenId } = parseToken(token)!;
    expect(created.err.join('\n')).toContain(`created ${tokenId} (first-admin)`);

    const checker = OperatorTokens.start(bus);
    expect(await checker.authenticate(`Bearer ${token}`)).toMatchObject({
      ok: true,
      operator: { actor: 'operator:first-admin' },
    });
    const listed = await run('list');
    expect(listed.out.find((l) => l.startsWith(tokenId))).toMatch(/ active +first-admin +expires 20/);

    expect((await run('revoke', tokenId)).err).toEqual([`revoked ${tokenId} (first-admin)`]);
    expect((await run('list')).out.find((l) => l.startsWith(tokenId))).toContain('revoked');
    expect((await run('revoke', tokenId)).err[0]).toContain('was already revoked');
    expect(await run('revoke', '0123456789abcdef')).toMatchObject({
      code: 1,
      err: ['no API token 0123456789abcdef'],
    });
    await checker.close();
  });
});

describe('the local operator file of npm start', () => {
  it('is written once with mode 0600, reused while valid, and replaced when revoked or unreadable', async () => {
    const file = join(dir, 'operator.json');
    const first = await ensureOperatorFile(bus, file, 'http://127.0.0.1:8080');
    expect(first.created).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      url: 'http://127.0.0.1:8080',
      token: first.operator.token,
    });

    const again = await ensureOperatorFile(bus, file, 'http://127.0.0.1:8080');
    expect(again).toEqual({ operator: first.operator, created: false });

    // Another port offset: the same token, the new address.
    const moved = await ensureOperatorFile(bus, file, 'http://127.0.0.1:8180');
    expect(moved.operator.token).toBe(first.operator.token);
    expect((JSON.parse(await readFile(file, 'utf8')) as { url: string }).url).toBe('http://127.0.0.1:8180');

    await new TokenIssuer(bus).revoke(parseToken(first.operator.token)!.tokenId, 'test');
    const replaced = await ensureOperatorFile(bus, file, 'http://127.0.0.1:8180');
    expect(replaced.created).toBe(true);
    expect(replaced.operator.token).not.toBe(first.operator.token);

    // An expired token is replaced too.
    const expiring = await new TokenIssuer(bus).create({
      name: 'short',
      createdBy: 'test',
      expiresAt: new Date(Date.now() + 60_000),
    });
    await writeFile(file, JSON.stringify({ url: 'http://127.0.0.1:8180', token: expiring.token }));
    expect((await ensureOperatorFile(bus, file, 'http://127.0.0.1:8180')).created).toBe(false);
    const later = new Date(Date.now() + 120_000);
    expect((await ensureOperatorFile(bus, file, 'http://127.0.0.1:8180', later)).created).toBe(true);

    await writeFile(file, 'not json');
    expect((await ensureOperatorFile(bus, file, 'http://127.0.0.1:8180')).created).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
