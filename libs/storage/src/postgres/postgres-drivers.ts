import type { OmsConfig } from '@oms/config';
import type { DataSource } from 'typeorm';
import type { StorageDrivers } from '../storage-drivers';
import { createPostgresDataSource, postgresSettingsOf } from './data-source';
import { PostgresEventStore } from './event-store.postgres';
import { PostgresIdempotencyStore } from './idempotency-store.postgres';
import { PostgresInbox } from './inbox.postgres';
import { runMigrations } from './migrations.postgres';
import { PostgresOrderProjection } from './order-projection.postgres';
import { PostgresOutbox } from './outbox.postgres';
import { postgresConnectError } from './postgres-connect.error';
import { PostgresDatabase, poolOf } from './postgres-database';
import { PostgresSagaStore } from './saga-store.postgres';
import { readSchemaVersion } from './schema-version.postgres';
import { PostgresUnitOfWork } from './unit-of-work.postgres';

export interface PostgresDriversOptions {
  /** Outbox partitions; default config.outbox.partitions. */
  readonly partitions?: number;
  /** NOTIFY oms_outbox on commits with outbox rows; default true. */
  readonly notify?: boolean;
  /** Apply pending migrations first (under the advisory lock); default config.storage.postgres.autoMigrate. */
  readonly autoMigrate?: boolean;
}

/** Every storage port on ONE TypeORM DataSource (one pool): the production driver. */
export async function createPostgresDrivers(config: OmsConfig, options: PostgresDriversOptions = {}): Promise<StorageDrivers> {
  const settings = postgresSettingsOf(config);
  const partitions = options.partitions ?? config.outbox.partitions;
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`outbox partitions must be a positive integer, got ${partitions}`);
  if (options.autoMigrate ?? config.storage.postgres.autoMigrate) await runMigrations(settings);

  const dataSource = createPostgresDataSource(settings);
  await dataSource.initialize().catch((error: unknown) => Promise.reject(postgresConnectError(error, settings.dsn)));
  return postgresDriversOn(dataSource, { partitions, notify: options.notify ?? true });
}

/** The drivers over an initialised DataSource; close() destroys it. */
export function postgresDriversOn(dataSource: DataSource, options: { partitions: number; notify: boolean }): StorageDrivers {
  const db = new PostgresDatabase(dataSource);
  const unitOfWork = new PostgresUnitOfWork(db, options);
  return {
    driver: 'postgres',
    eventStore: new PostgresEventStore(db, unitOfWork),
    outbox: new PostgresOutbox(db),
    projection: new PostgresOrderProjection(db),
    idempotency: new PostgresIdempotencyStore(db),
    sagas: new PostgresSagaStore(db),
    inbox: new PostgresInbox(db),
    unitOfWork,
    poolStats() {
      if (!dataSource.isInitialized) return { total: 0, idle: 0, waiting: 0 };
      const pool = poolOf(dataSource);
      return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    async ping() {
      await db.query('SELECT 1');
    },
    schemaVersion: () => readSchemaVersion(db),
    async close() {
      await unitOfWork.notified(); // wake-up hints of the last commits go out before the pool closes
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
