import { createTestDatabase, postgresTestConfig, testConfig, type TestDatabase } from '@oms/testing';
import { createPostgresDataSource, postgresSettingsOf } from './data-source';
import { PostgresDatabase } from './postgres-database';

// Real PostgreSQL on a shared machine: creating and dropping databases takes seconds.
jest.setTimeout(60_000);

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('datasource');
});

afterAll(async () => {
  await database?.drop();
});

const settingsOf = () =>
  postgresSettingsOf(
    postgresTestConfig(database.dsn, {
      OMS_POSTGRES_POOL_MAX: '3',
      OMS_POSTGRES_STATEMENT_TIMEOUT: '150ms',
      OMS_SERVICE_NAME: 'order-api',
    }),
  );

describe('PostgreSQL connection settings', () => {
  it('give the storage pool its size, statement timeout and application name from config', async () => {
    const db = await PostgresDatabase.open(settingsOf());
    try {
      const { rows } = await db.query<{ timeout: string; app: string }>(
        `SELECT current_setting('statement_timeout') AS timeout, current_setting('application_name') AS app`,
      );
      expect(rows).toEqual([{ timeout: '150ms', app: 'order-api' }]);
      await expect(db.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);

      // Five concurrent sleeps on a pool of three: three connections, two callers waiting.
      const sleeps = Array.from({ length: 5 }, () => db.query('SELECT pg_sleep(0.1)'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(db.stats()).toMatchObject({ total: 3, waiting: 2 });
      await Promise.all(sleeps);
      expect(db.stats()).toEqual({ total: 3, idle: 3, waiting: 0 });
    } finally {
      await db.close();
    }
    expect(db.stats()).toMatchObject({ total: 0 });
    await expect(db.query('SELECT 1')).rejects.toThrow();
    await expect(db.close()).resolves.toBeUndefined();
  });

  it('fail a query that outlasts the query timeout on the client, drop its connection and carry on', async () => {
    // No statement timeout: only the client-side limit can end the sleep, as on a silent network path.
    const settings = postgresSettingsOf(
      postgresTestConfig(database.dsn, { OMS_POSTGRES_POOL_MAX: '2', OMS_POSTGRES_STATEMENT_TIMEOUT: '0s', OMS_POSTGRES_QUERY_TIMEOUT: '300ms' }),
    );
    expect(settings.queryTimeoutMs).toBe(300);
    const db = await PostgresDatabase.open(settings);
    try {
      const started = Date.now();
      await expect(db.query('SELECT pg_sleep(3)')).rejects.toThrow('Query read timeout');
      expect(Date.now() - started).toBeLessThan(2_000);
      await expect(db.transaction((tx) => tx.query('SELECT pg_sleep(3)'))).rejects.toThrow('Query read timeout');
      // Both connections that timed out were dropped, not handed to the next caller.
      expect(db.stats().idle).toBe(0);
      await expect(db.query<{ one: number }>('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await expect(db.transaction((tx) => tx.query('SELECT 1'))).resolves.toMatchObject({ rowCount: 1 });
    } finally {
      await db.close();
    }
  });

  it('close a pooled connection once it stayed unused for the idle timeout, and keep it as long by default', async () => {
    expect(settingsOf().poolIdleTimeoutMs).toBe(600_000); // the default: 10m, not pg's 10 s
    const db = await PostgresDatabase.open(postgresSettingsOf(postgresTestConfig(database.dsn, { OMS_POSTGRES_POOL_IDLE_TIMEOUT: '300ms' })));
    try {
      const first = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const again = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect(again.rows[0]?.pid).toBe(first.rows[0]?.pid); // reused while idle for less than the timeout
      await new Promise((resolve) => setTimeout(resolve, 900));
      expect(db.stats()).toMatchObject({ total: 0 });
      const later = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect(later.rows[0]?.pid).not.toBe(first.rows[0]?.pid);
    } finally {
      await db.close();
    }
  });

  it('fail the pool at open when the database cannot be reached', async () => {
    const url = new URL(database.dsn);
    url.pathname = '/oms_test_no_such_database';
    await expect(PostgresDatabase.open({ ...settingsOf(), dsn: url.toString() })).rejects.toThrow(/does not exist/);
  });

  it('give the migrations DataSource the same pool size, statement timeout and application name', async () => {
    const dataSource = createPostgresDataSource(settingsOf());
    expect(dataSource.options).toMatchObject({ poolSize: 3, synchronize: false, migrationsRun: false });
    await dataSource.initialize();
    try {
      const [settings] = (await dataSource.query(
        `SELECT current_setting('statement_timeout') AS timeout, current_setting('application_name') AS app`,
      )) as { timeout: string; app: string }[];
      expect(settings).toEqual({ timeout: '150ms', app: 'order-api' });
      await expect(dataSource.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    } finally {
      await dataSource.destroy();
    }
  });

  it('refuse a config without a DSN', () => {
    expect(() => postgresSettingsOf(testConfig())).toThrow(/OMS_POSTGRES_DSN/);
  });
});
