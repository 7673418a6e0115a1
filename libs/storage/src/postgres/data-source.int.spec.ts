import { createTestDatabase, postgresTestConfig, testConfig, type TestDatabase } from '@oms/testing';
import { createPostgresDataSource, postgresSettingsOf } from './data-source';

// Real PostgreSQL on a shared machine: creating and dropping databases takes seconds.
jest.setTimeout(60_000);

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('datasource');
});

afterAll(async () => {
  await database?.drop();
});

describe('PostgreSQL DataSource settings', () => {
  it('takes pool size, statement timeout and application name from config', async () => {
    const config = postgresTestConfig(database.dsn, {
      OMS_POSTGRES_POOL_MAX: '3',
      OMS_POSTGRES_STATEMENT_TIMEOUT: '150ms',
      OMS_SERVICE_NAME: 'order-api',
    });
    const dataSource = createPostgresDataSource(postgresSettingsOf(config));
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

  it('refuses a config without a DSN', () => {
    expect(() => postgresSettingsOf(testConfig())).toThrow(/OMS_POSTGRES_DSN/);
  });
});
