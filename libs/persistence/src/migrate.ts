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
