import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  OMS_MIGRATIONS,
  createPostgresDataSource,
  postgresDataSourceOptions,
  postgresSettingsOf,
  type PostgresConnectionSettings,
} from './data-source';
import { MigrationError, migrateDown, migrateUp, migrationStatus, runMigrations } from './migrations.postgres';
import { createPostgresDrivers } from './postgres-drivers';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

/** Tables of the storage ports; later migrations may add more. */
const OMS_TABLES = ['events', 'idempotency_keys', 'orders_view', 'outbox', 'outbox_leases', 'processed_messages', 'sagas'];
const ALL = OMS_MIGRATIONS.map((migration) => new migration().name);

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<{ settings: PostgresConnectionSettings; dsn: string }> {
  const database = await createTestDatabase('migrations');
  databases.push(database);
  return { settings: postgresSettingsOf(postgresTestConfig(database.dsn)), dsn: database.dsn };
}

afterAll(async () => {
  for (const database of databases) await database.drop();
});

async function withDataSource<T>(dataSource: DataSource, work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function tables(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)) as {
    tablename: string;
  }[];
  return rows.map((row) => row.tablename).filter((name) => name !== 'typeorm_migrations');
}

/** Tables, columns, indexes and functions of the public schema: what a migration may add. */
async function schemaObjects(dataSource: DataSource): Promise<string[]> {
  const others = (await dataSource.query(
    `SELECT 'function ' || p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
     UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'
     UNION ALL SELECT 'column ' || table_name || '.' || column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'
     ORDER BY 1`,
  )) as { name: string }[];
  return [...(await tables(dataSource)), ...others.map((row) => row.name)];
}

describe('schema migrations', () => {
  it('applies, reports and reverts migrations step by step, down to an empty schema and up again', async () => {
    const { settings } = await freshDatabase();
    await withDataSource(createPostgresDataSource(settings), async (dataSource) => {
      expect((await migrationStatus(dataSource)).map((m) => [m.name, m.applied])).toEqual(ALL.map((name) => [name, false]));

      await expect(migrateUp(dataSource, { steps: 2 })).resolves.toEqual(ALL.slice(0, 2));
      expect((await migrationStatus(dataSource)).map((m) => m.applied)).toEqual(ALL.map((_, i) => i < 2));
      expect(await tables(dataSource)).toEqual(['events', 'orders_view', 'outbox', 'outbox_leases']);

      await expect(migrateUp(dataSource)).resolves.toEqual(ALL.slice(2));
      expect(await tables(dataSource)).toEqual(expect.arrayContaining(OMS_TABLES));
      await expect(migrateUp(dataSource)).resolves.toEqual([]);

      await expect(migrateDown(dataSource, { steps: 100 })).resolves.toEqual([...ALL].reverse());
      expect(await tables(dataSource)).toEqual([]);
      expect((await migrationStatus(dataSource)).every((m) => !m.applied)).toBe(true);
      await expect(migrateDown(dataSource)).resolves.toEqual([]);

      // One at a time: each down removes exactly what its up added.
      const after: string[][] = [[]];
      for (const name of ALL) {
        await expect(migrateUp(dataSource, { steps: 1 })).resolves.toEqual([name]);
        after.push(await schemaObjects(dataSource));
      }
      for (let i = ALL.length; i > 0; i--) {
        expect(after[i]).not.toEqual(after[i - 1]);
        await expect(migrateDown(dataSource)).resolves.toEqual([ALL[i - 1]]);
        expect(await schemaObjects(dataSource)).toEqual(after[i - 1]);
      }

      await expect(migrateUp(dataSource)).resolves.toEqual(ALL);
      expect(await schemaObjects(dataSource)).toEqual(after[ALL.length]);
    });
  });

  it('rolls a failing migration back completely, keeps the earlier ones, and names the failure', async () => {
    class Broken1999999999999 implements MigrationInterface {
      readonly name = 'Broken1999999999999';
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query('CREATE TABLE half_done (id int)');
        await queryRunner.query('ALTER TABLE no_such_table ADD COLUMN x int');
      }
      async down(): Promise<void> {
        // never reached: up fails
      }
    }
    const { settings } = await freshDatabase();
    const dataSource = new DataSource({ ...postgresDataSourceOptions(settings), migrations: [...OMS_MIGRATIONS, Broken1999999999999] });
    await withDataSource(dataSource, async () => {
      const error = await migrateUp(dataSource).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(/Broken1999999999999 \(up\) failed: .*no_such_table/);
      expect(await tables(dataSource)).toEqual(expect.arrayContaining(OMS_TABLES));
      const status = await migrationStatus(dataSource);
      expect(status.filter((m) => m.applied).map((m) => m.name)).toEqual(ALL);
      expect(status.find((m) => m.name === 'Broken1999999999999')?.applied).toBe(false);
    });
  });

  it('serialises concurrent starters on the advisory lock: one applies everything, the other finds nothing to do', async () => {
    const { settings } = await freshDatabase();
    const results = await Promise.all([runMigrations(settings), runMigrations(settings), runMigrations(settings)]);
    expect(results.map((applied) => applied.length).sort()).toEqual([0, 0, ALL.length]);
    await withDataSource(createPostgresDataSource(settings), async (dataSource) => {
      expect(await tables(dataSource)).toEqual(expect.arrayContaining(OMS_TABLES));
      const recorded = (await dataSource.query('SELECT name FROM typeorm_migrations ORDER BY id')) as { name: string }[];
      expect(recorded.map((row) => row.name)).toEqual(ALL);
    });
  });

  it('migrates at start-up when OMS_POSTGRES_AUTO_MIGRATE=true, also with two replicas starting together', async () => {
    const { dsn } = await freshDatabase();
    const config = postgresTestConfig(dsn, { OMS_POSTGRES_AUTO_MIGRATE: 'true' });
    const [a, b] = await Promise.all([createPostgresDrivers(config), createPostgresDrivers(config)]);
    try {
      await a.ping();
      await expect(a.projection.get('nothing-yet')).resolves.toBeNull();
      await expect(b.sagas.countRunning()).resolves.toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('does not touch the schema at start-up without OMS_POSTGRES_AUTO_MIGRATE', async () => {
    const { dsn, settings } = await freshDatabase();
    const drivers = await createPostgresDrivers(postgresTestConfig(dsn));
    try {
      await drivers.ping();
      await expect(drivers.projection.get('x')).rejects.toThrow(/orders_view/);
    } finally {
      await drivers.close();
    }
    await withDataSource(createPostgresDataSource(settings), async (dataSource) => expect(await tables(dataSource)).toEqual([]));
  });
});
