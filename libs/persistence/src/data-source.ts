import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface DatabaseOptions {
  /** postgres:// URL; the password, if any, lives here. */
  url: string;
  /** The service's own schema: its tables, its migrations table, its outbox and inbox. */
  schema: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  // TypeORM's own option type: entity classes and schemas.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  poolSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class InvalidSchemaNameError extends Error {
  override readonly name = 'InvalidSchemaNameError';
}

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new InvalidSchemaNameError(`schema ${JSON.stringify(schema)} must match ${SCHEMA_NAME.source}`);
  }
  return schema;
}

/**
 * A TypeORM data source confined to one PostgreSQL schema. The search path is set on every
 * pooled connection, so raw SQL in migrations and repositories needs no schema prefix.
 * Never synchronizes: the schema changes only through migrations.
 */
export function createDataSource(options: DatabaseOptions): DataSource {
  const schema = assertSchemaName(options.schema);
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema,
    applicationName: options.applicationName,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    poolSize: options.poolSize ?? 10,
    extra: { options: `-c search_path=${schema}` },
  });
}
