export {
  createDataSource,
  assertSchemaName,
  InvalidSchemaNameError,
  type DatabaseOptions,
} from './data-source.js';
export { migrate, openDatabase, openDatabaseWhenReachable } from './migrate.js';
export { OutboxInbox1763800000000 } from './outbox-inbox.migration.js';
export { Outbox, OutboxOutsideTransactionError } from './outbox.js';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
export { claimMessages, applyOnce, purgeInbox } from './inbox.js';
export {
  PersistenceModule,
  PERSISTENCE_OPTIONS,
  type PersistenceModuleOptions,
} from './nest/persistence.module.js';
export { DatabaseHealth, type DatabaseHealthOptions } from './database-health.js';
export { updatedRows } from './updated-rows.js';
