import type { OmsConfig } from '@oms/config';
import { DataSource, type DataSourceOptions } from 'typeorm';
// migrations/ is the top-level folder the design fixes for them; it is not an Nx project with an alias.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { OMS_MIGRATIONS } from '../../../../migrations';

export { OMS_MIGRATIONS };

/** How to reach PostgreSQL: the parts of OmsConfig the pool and the DataSource need. */
export interface PostgresConnectionSettings {
  readonly dsn: string;
  /** Largest pool size (OMS_POSTGRES_POOL_MAX). */
  readonly poolMax: number;
  /**
   * How long an unused pooled connection stays open (OMS_POSTGRES_POOL_IDLE_TIMEOUT) in
   * milliseconds; 0 = until the pool closes. postgresSettingsOf always sets it; settings built
   * by hand without it get pg's own 10 s. The migrations' DataSource does not use it.
   */
  readonly poolIdleTimeoutMs?: number;
  /** statement_timeout of every connection in milliseconds; 0 = none (migrations). */
  readonly statementTimeoutMs: number;
  /**
   * Client-side limit on one query in milliseconds (pg query_timeout), round trip included: the
   * statement timeout cannot end a query whose connection went silent. 0 or absent = none (migrations).
   */
  readonly queryTimeoutMs?: number;
  /** Shown in pg_stat_activity. */
  readonly applicationName?: string;
}

/** How long opening one connection may take before it fails. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Idle time before TCP keepalive probes start: a connection whose peer vanished is noticed without a query. */
export const KEEPALIVE_DELAY_MS = 10_000;

/** Table where TypeORM records the applied migrations. */
export const MIGRATIONS_TABLE = 'typeorm_migrations';

export function postgresSettingsOf(config: OmsConfig): PostgresConnectionSettings {
  const { dsn, poolMax, poolIdleTimeoutMs, statementTimeoutMs, queryTimeoutMs } = config.storage.postgres;
  if (!dsn) throw new Error('OMS_POSTGRES_DSN (or OMS_POSTGRES_DSN_FILE) is not set');
  return { dsn, poolMax, poolIdleTimeoutMs, statementTimeoutMs, queryTimeoutMs, applicationName: config.serviceName };
}

/**
 * The DataSource of the migrations (ADR 0013): the migrator and the locked start-up path
 * (runMigrations) apply the top-level migrations/ folder through it; the schema is never
 * synchronised and never migrated implicitly. The storage drivers run on their own pg.Pool
 * (postgres-database.ts), opened from the same settings.
 */
export function postgresDataSourceOptions(settings: PostgresConnectionSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.dsn,
    applicationName: settings.applicationName ?? 'oms',
    poolSize: settings.poolMax,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    synchronize: false,
    migrationsRun: false,
    migrations: [...OMS_MIGRATIONS],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    entities: [],
    installExtensions: false,
    logging: false,
    extra: settings.statementTimeoutMs > 0 ? { statement_timeout: settings.statementTimeoutMs } : {},
  };
}

export function createPostgresDataSource(settings: PostgresConnectionSettings): DataSource {
  return new DataSource(postgresDataSourceOptions(settings));
}
