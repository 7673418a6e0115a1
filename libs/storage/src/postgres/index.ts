// PostgreSQL storage driver (its own pg.Pool + raw SQL), its migrations (TypeORM) and maintenance jobs.
export { createPostgresDrivers, postgresDriversOn, type PostgresDriversOptions } from './postgres-drivers';
export {
  CONNECT_TIMEOUT_MS,
  MIGRATIONS_TABLE,
  OMS_MIGRATIONS,
  createPostgresDataSource,
  postgresDataSourceOptions,
  postgresSettingsOf,
  type PostgresConnectionSettings,
} from './data-source';
export {
  MIGRATION_LOCK_KEY,
  MigrationError,
  migrateDown,
  migrateUp,
  migrationStatus,
  runMigrations,
  type MigrateOptions,
  type MigrationState,
} from './migrations.postgres';
export { PostgresDatabase, postgresPoolConfig, type PoolStats, type SqlExecutor, type SqlResult } from './postgres-database';
export { OUTBOX_NOTIFY_CHANNEL } from './unit-of-work.postgres';
export { rebuildOrdersView, type RebuildOptions, type RebuildResult } from './projection-rebuild';
export { PostgresOutboxLeases, openPostgresOutboxLeases, type OutboxLeaseStatus, type PostgresOutboxLeasesOptions } from './outbox-leases.postgres';
export { PostgresOutboxListener, parsePartitions, type PostgresOutboxListenerOptions } from './outbox-listener.postgres';
