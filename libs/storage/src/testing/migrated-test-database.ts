import type { OmsConfig } from '@oms/config';
import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import type { PostgresDatabase, PostgresDriversOptions } from '../postgres';
import type { StorageDrivers } from '../storage-drivers';

/** A fresh database with every migration applied, for one integration test file. */
export interface MigratedTestDatabase extends TestDatabase {
  readonly config: OmsConfig;
  /** New drivers on this database (each call its own pool); close them when done. */
  drivers(options?: PostgresDriversOptions): Promise<StorageDrivers>;
  /** A raw SQL handle for assertions and fault injection; closed by drop(). */
  readonly sql: PostgresDatabase;
}

export async function createMigratedTestDatabase(prefix: string, variables: Record<string, string> = {}): Promise<MigratedTestDatabase> {
  // Loaded here, not at the top: unit specs import this entry for the contract suites only.
  const postgres = await import('../postgres');
  const database = await createTestDatabase(prefix);
  const config = postgresTestConfig(database.dsn, variables);
  await postgres.runMigrations(postgres.postgresSettingsOf(config));
  const sql = await postgres.PostgresDatabase.open({ ...postgres.postgresSettingsOf(config), poolMax: 4 });
  return {
    ...database,
    config,
    sql,
    drivers: (options) => postgres.createPostgresDrivers(config, options),
    async drop() {
      await sql.close();
      await database.drop();
    },
  };
}
