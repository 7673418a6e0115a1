export * from './storage-drivers';
export { createMemoryDrivers, type MemoryDriversOptions } from './memory';
export { DATABASE_CHECK, STORAGE_DRIVERS, StorageModule, createStorageDrivers, loadPostgresStorage } from './storage.module';
export { DuplicateEventError } from './storage.errors';
export * from './relay-coordination';
export { decodeOrderCursor, encodeOrderCursor, type OrderCursor, type OrderCursorScope } from './order-cursor';
// Types only (erased): the PostgreSQL API itself is reached through `await loadPostgresStorage()`.
export type { MigrateOptions, MigrationState, PostgresDriversOptions, RebuildOptions, RebuildResult } from './postgres';
