import type { DataSource } from 'typeorm';

/**
 * Creates the schema and runs pending migrations, serialised by an advisory lock so that
 * several instances starting at once apply each migration exactly once.
 */
export async function migrate(ds: DataSource): Promise<string[]> {
  const schema = ds.driver.schema;
  if (!schema) throw new Error('data source has no schema');
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`muster.migrate.${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`muster.migrate.${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/** Initialises the data source (if needed) and brings its schema up to date. */
export async function openDatabase(ds: DataSource): Promise<DataSource> {
  if (!ds.isInitialized) await ds.initialize();
  await migrate(ds);
  return ds;
}

/** Connection failures worth waiting out at start: the server is not up yet, or restarting. */
const NOT_UP_YET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', '57P03']);

function isNotUpYet(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_UP_YET.has(code);
}

/**
 * openDatabase, waiting (with back-off, up to `waitMs`) while the server does not accept
 * connections yet, as a service started before its database does. Any other error — bad
 * credentials, a failing migration — fails at once.
 */
export async function openDatabaseWhenReachable(
  create: () => DataSource,
  options: { waitMs?: number; onWait?: (err: Error, attempt: number) => void } = {},
): Promise<DataSource> {
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  for (let attempt = 1; ; attempt++) {
    const ds = create();
    try {
      return await openDatabase(ds);
    } catch (err) {
      if (ds.isInitialized) await ds.destroy().catch(() => undefined);
      if (!isNotUpYet(err) || Date.now() > deadline) throw err;
      options.onWait?.(err as Error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5_000)));
    }
  }
}
