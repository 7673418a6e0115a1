import type { OmsConfig } from '@oms/config';
import type { StorageDrivers } from '../storage-drivers';
import { postgresSettingsOf } from './data-source';
import { PostgresEventStore } from './event-store.postgres';
import { PostgresIdempotencyStore } from './idempotency-store.postgres';
import { PostgresInbox } from './inbox.postgres';
import { runMigrations } from './migrations.postgres';
import { PostgresOrderProjection } from './order-projection.postgres';
import { PostgresOutbox } from './outbox.postgres';
import { PostgresDatabase } from './postgres-database';
import { PostgresSagaStore } from './saga-store.postgres';
import { PostgresUnitOfWork } from './unit-of-work.postgres';

export interface PostgresDriversOptions {
  /** Outbox partitions; default config.outbox.partitions. */
  readonly partitions?: number;
  /** NOTIFY oms_outbox on commits with outbox rows; default true. */
  readonly notify?: boolean;
  /** Apply pending migrations first (under the advisory lock); default config.storage.postgres.autoMigrate. */
  readonly autoMigrate?: boolean;
}

/** Every storage port on ONE pg.Pool that storage owns: the production driver. */
export async function createPostgresDrivers(config: OmsConfig, options: PostgresDriversOptions = {}): Promise<StorageDrivers> {
  const settings = postgresSettingsOf(config);
  const partitions = options.partitions ?? config.outbox.partitions;
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`outbox partitions must be a positive integer, got ${partitions}`);
  if (options.autoMigrate ?? config.storage.postgres.autoMigrate) await runMigrations(settings);

  const db = await PostgresDatabase.open(settings);
  return postgresDriversOn(db, { partitions, notify: options.notify ?? true });
}

/** The drivers over an open database; close() closes its pool. */
export function postgresDriversOn(db: PostgresDatabase, options: { partitions: number; notify: boolean }): StorageDrivers {
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
    poolStats: () => db.stats(),
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      await unitOfWork.notified(); // wake-up hints of the last commits go out before the pool closes
      await db.close();
    },
  };
}
