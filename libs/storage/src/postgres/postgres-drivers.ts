import { Pool } from 'pg';
import type { OmsConfig } from '@oms/config';
import type { StorageDrivers } from '../storage-drivers';
import { postgresSettingsOf } from './data-source';
import { PostgresEventStore } from './event-store.postgres';
import { PostgresIdempotencyStore } from './idempotency-store.postgres';
import { PostgresInbox } from './inbox.postgres';
import { runMigrations } from './migrations.postgres';
import { PostgresOrderProjection } from './order-projection.postgres';
import { PostgresOutbox } from './outbox.postgres';
import { isUnreachable, postgresConnectError } from './postgres-connect.error';
import { PostgresDatabase, postgresPoolConfig } from './postgres-database';
import { PostgresSagaStore } from './saga-store.postgres';
import { readSchemaVersion } from './schema-version.postgres';
import { PostgresUnitOfWork, type PostgresUnitOfWorkOptions } from './unit-of-work.postgres';

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
  const autoMigrate = options.autoMigrate ?? config.storage.postgres.autoMigrate;
  const unitOfWorkOptions: PostgresUnitOfWorkOptions = { partitions, notify: options.notify ?? true, notifyIntervalMs: config.outbox.minRoundIntervalMs };
  try {
    if (autoMigrate) await runMigrations(settings);
    const db = await PostgresDatabase.open(settings).catch((error: unknown) => Promise.reject(postgresConnectError(error, settings.dsn)));
    return postgresDriversOn(db, unitOfWorkOptions);
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    // Out of reach at start-up (ADR 0027): the drivers on a pool that connects when asked, and
    // the start waits, not ready, until the database answers (and the migrations ran, if asked).
    const db = new PostgresDatabase(new Pool(postgresPoolConfig(settings)));
    return {
      ...postgresDriversOn(db, unitOfWorkOptions),
      unreachableAtStart: error instanceof Error ? error.message : String(error),
      async untilReachable(intervalMs, stopped) {
        for (;;) {
          try {
            if (autoMigrate) await runMigrations(settings);
            await db.query('SELECT 1');
            return;
          } catch (error) {
            if (!isUnreachable(error)) throw error;
            if (stopped()) return;
            await new Promise((resolve) => setTimeout(resolve, intervalMs));
          }
        }
      },
    };
  }
}

/** The drivers over an open database; close() closes its pool. */
export function postgresDriversOn(db: PostgresDatabase, options: PostgresUnitOfWorkOptions): StorageDrivers {
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
    observeConnectionWait: (observer) => db.observeConnectionWait(observer),
    async ping() {
      await db.query('SELECT 1');
    },
    schemaVersion: () => readSchemaVersion(db),
    async close() {
      await unitOfWork.notified(); // wake-up hints of the last commits go out before the pool closes
      await db.close();
    },
  };
}
