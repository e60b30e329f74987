import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Delivery } from '@muster/messaging';
import { applyOnce, claimMessages, purgeInbox } from '../src/index.js';
import { openTestDatabase, testSchema } from './persistence-fixture.js';

const pgUrl = inject('servers').postgres.url;
let ds: DataSource;
afterAll(async () => ds?.destroy());

const delivery = (id: string, name: string) =>
  ({ message: name, meta: { id } }) as unknown as Delivery<string>;

describe('inbox', () => {
  it('applies each message id once across batches, within a batch, and not after a rollback', async () => {
    ds = await openTestDatabase(pgUrl, testSchema());
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const insert = async (
      m: Parameters<Parameters<typeof applyOnce>[3]>[0],
      fresh: readonly Delivery<string>[],
    ) => {
      for (const d of fresh) await m.query('INSERT INTO widget (name) VALUES ($1)', [d.message]);
    };
    expect(
      await applyOnce(ds, 'c1', [delivery(a, 'a'), delivery(a, 'a-again'), delivery(b, 'b')], insert),
    ).toBe(2);
    expect(await applyOnce(ds, 'c1', [delivery(b, 'b-redelivered'), delivery(c, 'c')], insert)).toBe(1);
    await expect(
      applyOnce(ds, 'c1', [delivery(randomUUID(), 'rolled-back')], async () => {
        throw new Error('effect failed');
      }),
    ).rejects.toThrow('effect failed');
    // Another consumer keeps its own record of what it has seen.
    expect(await applyOnce(ds, 'c2', [delivery(a, 'a-for-c2')], insert)).toBe(1);
    const names = (await ds.query<{ name: string }[]>('SELECT name FROM widget ORDER BY id')).map(
      (r) => r.name,
    );
    expect(names).toEqual(['a', 'b', 'c', 'a-for-c2']);
    const claimed = await ds.transaction((m) => claimMessages(m, 'c1', [a, randomUUID()]));
    expect(claimed.size).toBe(1);
    expect(claimed.has(a)).toBe(false);
  });

  it('forgets entries older than the horizon', async () => {
    ds ??= await openTestDatabase(pgUrl, testSchema());
    const old = randomUUID();
    await ds.query(
      `INSERT INTO inbox (consumer, message_id, received_at) VALUES ('c9', $1, now() - interval '3 days')`,
      [old],
    );
    await ds.query(`INSERT INTO inbox (consumer, message_id) VALUES ('c9', $1)`, [randomUUID()]);
    expect(await purgeInbox(ds, 48)).toBe(1);
    const left = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM inbox WHERE consumer = 'c9'`,
    );
    expect(left[0]!.n).toBe(1);
  });
});
