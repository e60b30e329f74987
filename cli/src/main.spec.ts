import { describe, expect, it } from 'vitest';
import { main } from './main.js';

function io(answer: (url: string, init: RequestInit) => Response) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    out,
    err,
    calls,
    io: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      env: { MUSTER_URL: 'http://api.test', MUSTER_TOKEN: 'mst_test' },
      cwd: '/nonexistent',
      home: '/nonexistent',
      signal: new AbortController().signal,
      fetch: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return answer(url, init);
      }) as unknown as typeof fetch,
    },
  };
}

const json = (body: unknown, status = 200, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('muster', () => {
  it('sends the token, the filters as one query, and prints a table', async () => {
    const t = io(() =>
      json({
        machines: [
          { machineId: 'm1', siteId: 's1', state: 'MACHINE_STATE_DEPLOYED', labels: { rack: 'r1' } },
        ],
      }),
    );
    const code = await main(
      ['machines', 'ls', '--site', 's1', '--label', 'rack=r1', '--label', 'role!=db', '--state', 'deployed'],
      t.io,
    );
    expect(code).toBe(0);
    const url = new URL(t.calls[0]!.url);
    expect(url.pathname).toBe('/v1/machines');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      site: 's1',
      label: 'rack=r1,role!=db',
      state: 'deployed',
    });
    expect((t.calls[0]!.init.headers as Record<string, string>)['authorization']).toBe('Bearer mst_test');
    expect(t.out.join('')).toMatch(/^MACHINE +HOSTNAME +SITE .*\nm1 +- +s1 .* deployed /);
  });

  it('--all follows next cursors; --json prints the items for scripts', async () => {
    const t = io((url) =>
      new URL(url).searchParams.get('after') === 'c1'
        ? json({ sites: [{ siteId: 'b' }] })
        : json({ sites: [{ siteId: 'a' }], next: 'c1' }),
    );
    expect(await main(['--json', 'sites', 'ls', '--all'], t.io)).toBe(0);
    expect(JSON.parse(t.out.join(''))).toEqual({ sites: [{ siteId: 'a' }, { siteId: 'b' }] });
    expect(t.calls).toHaveLength(2);
  });

  it('prints a problem as one line and exits 1', async () => {
    const t = io(() =>
      json(
        {
          type: 'https://muster.dev/problems/conflict',
          title: 'Conflict',
          status: 409,
          detail: 'machines are still at site s1',
        },
        409,
        'application/problem+json',
      ),
    );
    expect(await main(['sites', 'rm', 's1'], t.io)).toBe(1);
    expect(t.err.join('')).toBe('muster: 409 Conflict: machines are still at site s1\n');
    expect(t.calls[0]!.init.method).toBe('DELETE');
  });

  it('exits 2 on a usage error, before any request', async () => {
    const t = io(() => json({}));
    expect(await main(['machines', 'ls', '--state', 'bogus'], t.io)).toBe(2);
    expect(await main(['machines', 'ls', '--label', 'a b'], t.io)).toBe(2);
    expect(await main(['nope'], t.io)).toBe(2);
    expect(await main(['sites', 'update', 's1'], t.io)).toBe(2);
    expect(t.calls).toEqual([]);
    expect(await main(['--help'], t.io)).toBe(0);
  });

  it('builds bodies from flags: a rule, a site with windows, an agent command', async () => {
    const t = io((_url, init) => json(JSON.parse(init.body as string), 201));
    await main(
      [
        'rules',
        'create',
        '--priority',
        '10',
        '--match-network',
        '10.1.0.0/16',
        '--match-fact',
        'cpu.cores=8',
        '--assign-site',
        's1',
        '--disabled',
      ],
      t.io,
    );
    expect(JSON.parse(t.calls[0]!.init.body as string)).toEqual({
      priority: 10,
      match: { network: '10.1.0.0/16', facts: { 'cpu.cores': '8' } },
      assign: { siteId: 's1' },
      enabled: false,
    });
    await main(
      [
        'sites',
        'create',
        'paris-1',
        '--time-zone',
        'Europe/Paris',
        '--window',
        'sat,sun@02:00+4h',
        '--network',
        '10.1.0.0/16,10.2.0.0/16',
      ],
      t.io,
    );
    expect(JSON.parse(t.calls[1]!.init.body as string)).toEqual({
      siteId: 'paris-1',
      timeZone: 'Europe/Paris',
      maintenanceWindows: [{ days: ['sat', 'sun'], start: '02:00', durationMinutes: 240 }],
      networks: ['10.1.0.0/16', '10.2.0.0/16'],
    });
    await main(['agents', 'command', 'a1', 'collectFacts', '--expires-in', '1h'], t.io);
    expect(JSON.parse(t.calls[2]!.init.body as string)).toEqual({
      command: { collectFacts: {} },
      expiresInSeconds: 3600,
    });
  });
});
