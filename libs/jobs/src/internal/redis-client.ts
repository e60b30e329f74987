import { Redis, type RedisOptions } from 'ioredis';

import type { RedisConnection } from '../redis.connection.js';

/**
 * - `producer`: commands fail fast while Redis is unreachable instead of queueing in memory,
 *   so an HTTP handler that enqueues can answer 503 rather than hang;
 * - `blocking`: workers and event readers wait across reconnects (BullMQ requires
 *   `maxRetriesPerRequest: null` on these).
 */
export function createRedisClient(connection: RedisConnection, role: 'producer' | 'blocking'): Redis {
  const options: RedisOptions =
    role === 'blocking'
      ? { maxRetriesPerRequest: null }
      : { enableOfflineQueue: false, maxRetriesPerRequest: 3 };
  if ('url' in connection) return new Redis(connection.url, options);
  const { host, port, username, password, db } = connection;
  return new Redis({ host, port, username, password, db, ...options });
}

/** Closes a client we created; BullMQ does not close clients it was handed. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

export function keepJobs(retention: { count: number; ageSeconds: number }) {
  return { count: retention.count, age: retention.ageSeconds };
}
