import type { OmsConfig } from '@oms/config';
import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { DataSource } from 'typeorm';
import type { StorageDrivers } from '../storage-drivers';
import { createPostgresDataSource, postgresSettingsOf } from './data-source';
import { runMigrations } from './migrations.postgres';
import { createPostgresDrivers, type PostgresDriversOptions } from './postgres-drivers';
import { PostgresDatabase } from './postgres-database';

/** A fresh database with every migration applied, for one integration test file. */
export interface MigratedTestDatabase extends TestDatabase {
  readonly config: OmsConfig;
  /** New drivers on this database (each call its own pool); close them when done. */
  drivers(options?: PostgresDriversOptions): Promise<StorageDrivers>;
  /** A raw SQL handle for assertions and fault injection; closed by drop(). */
  readonly sql: PostgresDatabase;
}

export async function createMigratedTestDatabase(prefix: string, variables: Record<string, string> = {}): Promise<MigratedTestDatabase> {
  const database = await createTestDatabase(prefix);
  const config = postgresTestConfig(database.dsn, variables);
  await runMigrations(postgresSettingsOf(config));
  const dataSource: DataSource = createPostgresDataSource({ ...postgresSettingsOf(config), poolMax: 4 });
  await dataSource.initialize();
  return {
    ...database,
    config,
    sql: new PostgresDatabase(dataSource),
    drivers: (options) => createPostgresDrivers(config, options),
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}
