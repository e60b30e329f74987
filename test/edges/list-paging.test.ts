import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { operatorFetch, startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { ensureAllStreams, serviceEntry, serviceTestEnv } from './service-entries.js';

/**
 * Every list endpoint is paged with an upper bound: walking `next` from the first page returns
 * each row exactly once, in the documented order — also rows created within the same millisecond
 * or at the same instant (the cursor keeps PostgreSQL's microseconds and breaks ties by id).
 */
interface ListCase {
  service: string;
  path: string;
  field: string;
  id: string;
  /** Inserts the rows into the service's schema; returns their ids in the order the API lists them. */
  seed: (db: pg.Client, schema: string) => Promise<string[]>;
}

// Newest first; two rows 3 µs apart (one JavaScript millisecond), two at the same instant.
const TIMES = [
  '2026-11-30 10:00:00.000001+00',
  '2026-11-30 10:00:00.000004+00',
  '2026-11-30 10:00:01+00',
  '2026-11-30 10:00:01+00',
  '2026-11-30 10:00:02+00',
];
const newestFirst = (rows: { id: string; at: string }[]) =>
  [...rows].sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1)).map((r) => r.id);

const timed = () => TIMES.map((at) => ({ id: randomUUID(), at }));

const cases: ListCase[] = [
  {
    service: 'scheduler',
    path: '/v1/rollouts',
    field: 'rollouts',
    id: 'rolloutId',
    async seed(db, schema) {
      const rows = timed();
      for (const r of rows) {
        await db.query(
          `INSERT INTO ${schema}.rollout (rollout_id, release_id, selector, waves, state, created_at)
           VALUES ($1, $2, '{}', '[]', 'PENDING', $3)`,
          [r.id, randomUUID(), r.at],
        );
      }
      return newestFirst(rows);
    },
  },
  {
    service: 'image-build',
    path: '/v1/builds',
    field: 'builds',
    id: 'buildId',
    async seed(db, schema) {
      const digest = 'a'.repeat(64);
      await db.query(`INSERT INTO ${schema}.recipe (digest, name, body) VALUES ($1, 'base', '{}')`, [digest]);
      const rows = timed();
      for (const r of rows) {
        await db.query(
          `INSERT INTO ${schema}.build (build_id, recipe_digest, state, created_at) VALUES ($1, $2, 'QUEUED', $3)`,
          [r.id, digest, r.at],
        );
      }
      return newestFirst(rows);
    },
  },
  {
    service: 'artifact-store',
    path: '/v1/releases',
    field: 'releases',
    id: 'releaseId',
    async seed(db, schema) {
      const rows = timed();
      for (const [n, r] of rows.entries()) {
        await db.query(
          `INSERT INTO ${schema}.release (release_id, image_name, version, sequence, architecture, state,
             compatibility, total_size_bytes, new_stored_bytes, reused_bytes, published_at)
           VALUES ($1, 'base', $2, $3, 'amd64', 'published', '{}', 1, 1, 0, $4)`,
          [r.id, String(n + 1), n + 1, r.at],
        );
      }
      return newestFirst(rows);
    },
  },
  {
    service: 'api',
    path: '/v1/webhooks',
    field: 'webhooks',
    id: 'webhookId',
    async seed(db, schema) {
      const rows = timed();
      for (const r of rows) {
        await db.query(
          `INSERT INTO ${schema}.webhook (webhook_id, url, types, site_id, secret, created_by, created_at)
           VALUES ($1, 'https://hooks.example.com/x', '{}', NULL, 'whsec_x', 'test', $2)`,
          [r.id, r.at],
        );
      }
      return newestFirst(rows);
    },
  },
  {
    service: 'agent-gateway',
    path: '/v1/agents',
    field: 'agents',
    id: 'agentId',
    async seed(db, schema) {
      const ids = ['agent-c', 'agent-a', 'agent-e', 'agent-b', 'agent-d'];
      for (const id of ids) {
        await db.query(`INSERT INTO ${schema}.agent (agent_id, site_id) VALUES ($1, 'branch-001')`, [id]);
      }
      return [...ids].sort();
    },
  },
  ...(
    [
      [
        '/v1/sites',
        'sites',
        'siteId',
        'site',
        `(site_id, name, time_zone, revision) VALUES ($1, 'S', 'UTC', 1)`,
      ],
      ['/v1/groups', 'groups', 'groupId', 'machine_group', `(group_id, name, revision) VALUES ($1, 'G', 1)`],
      [
        '/v1/profiles',
        'profiles',
        'profileId',
        'profile',
        `(profile_id, name, release_channel, revision) VALUES ($1, 'P', 'stable', 1)`,
      ],
      [
        '/v1/assignment-rules',
        'rules',
        'ruleId',
        'assignment_rule',
        `(rule_id, priority, match, assign, revision) VALUES ($1, 1, '{}', '{"labels":{"a":"b"}}', 1)`,
      ],
    ] as const
  ).map(([path, field, id, table, values]): ListCase => ({
    service: 'inventory',
    path,
    field,
    id,
    async seed(db, schema) {
      const ids = ['id-c', 'id-a', 'id-e', 'id-b', 'id-d'];
      for (const x of ids) await db.query(`INSERT INTO ${schema}.${table} ${values}`, [x]);
      return [...ids].sort();
    },
  })),
  {
    service: 'inventory',
    path: '/v1/machines',
    field: 'machines',
    id: 'machineId',
    async seed(db, schema) {
      const ids = TIMES.map(() => randomUUID());
      for (const x of ids) {
        await db.query(
          `INSERT INTO ${schema}.machine (machine_id, site_id, labels, state, macs, hardware, revision, discovered_at, updated_at)
           VALUES ($1, 'branch-001', '{}', 'DISCOVERED', '{52:54:00:00:00:01}', '{}', 1, now(), now())`,
          [x],
        );
      }
      return [...ids].sort();
    },
  },
];

let db: pg.Client;
beforeAll(async () => {
  db = new pg.Client({ connectionString: inject('servers').postgres.url });
  await db.connect();
});
afterAll(async () => db?.end());

describe.each(cases)('GET $path', (c) => {
  let service: RunningService;
  let expected: string[];

  beforeAll(async () => {
    const env = serviceTestEnv(inject('servers'), { MUSTER_HTTP_RATE_LIMIT_PER_MINUTE: '0' });
    await ensureAllStreams(env.MUSTER_NATS_URL!);
    service = await startServiceInProcess(await serviceEntry(c.service), env);
    expected = await c.seed(db, env.MUSTER_DATABASE_SCHEMA!);
  });
  afterAll(async () => service?.close());

  const page = async (query: string) => {
    const res = await operatorFetch(service, `${c.path}?${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('walks every row once, in order, page by page, and says when there is no next page', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await page(`limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(status).toBe(200);
      const rows = body[c.field] as Record<string, string>[];
      expect(rows.length).toBeLessThanOrEqual(2);
      seen.push(...rows.map((r) => r[c.id]!));
      after = body['next'] as string | undefined;
      pages++;
    } while (after !== undefined && pages < 10);
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);
  });

  it('refuses a page size above the bound and a cursor it did not hand out, naming the field', async () => {
    const tooMany = await page('limit=1001');
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain('"name":"limit"');
    const forged = await page(`after=${encodeURIComponent("x'; DROP TABLE y; --")}`);
    expect(forged.status).toBe(400);
    expect(JSON.stringify(forged.body)).toContain('"name":"after"');
  });
});
