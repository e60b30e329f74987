import type { DataSource, EntityManager } from 'typeorm';
import type { Delivery } from '@muster/messaging';

/**
 * Records message ids as processed by one consumer; returns the ids seen for the first time.
 * Runs inside the consumer's transaction, so a rolled-back effect un-claims its message.
 */
export async function claimMessages(
  manager: EntityManager,
  consumer: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await manager.query<{ message_id: string }[]>(
    `INSERT INTO inbox (consumer, message_id)
     SELECT $1, unnest($2::text[])
     ON CONFLICT DO NOTHING
     RETURNING message_id`,
    [consumer, [...new Set(ids)]],
  );
  return new Set(rows.map((r) => r.message_id));
}

/**
 * Applies a batch of deliveries exactly once in effect: in one transaction, claims their ids
 * in the inbox and hands only the unseen ones (first occurrence of each id) to `apply`.
 * Returns how many were applied.
 */
export async function applyOnce<M>(
  ds: DataSource,
  consumer: string,
  deliveries: readonly Delivery<M>[],
  apply: (manager: EntityManager, fresh: readonly Delivery<M>[]) => Promise<void>,
): Promise<number> {
  return ds.transaction(async (manager) => {
    const fresh = await claimMessages(
      manager,
      consumer,
      deliveries.map((d) => d.meta.id),
    );
    const todo: Delivery<M>[] = [];
    for (const d of deliveries) {
      if (fresh.delete(d.meta.id)) todo.push(d);
    }
    if (todo.length > 0) await apply(manager, todo);
    return todo.length;
  });
}

/** Forgets inbox entries older than the horizon within which a message can come back. */
export async function purgeInbox(ds: DataSource, olderThanHours: number): Promise<number> {
  const result = await ds.query<[unknown, number]>(
    `DELETE FROM inbox WHERE received_at < now() - make_interval(hours => $1)`,
    [olderThanHours],
  );
  return result[1];
}
