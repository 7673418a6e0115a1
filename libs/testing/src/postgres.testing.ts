import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { containerRuntimeAvailable } from './container-runtime';
import { testVariable } from './test-env';

/** The server tests use when nothing else is configured (the CI machine's local PostgreSQL). */
export const DEFAULT_TEST_POSTGRES_DSN = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Unique database name, `oms_test_<prefix>_<random>`. */
  readonly name: string;
  /** DSN of the new database. */
  readonly dsn: string;
  /** Drops the database (terminating leftover connections); safe to call twice. */
  drop(): Promise<void>;
}

let server: Promise<string> | undefined;

/**
 * The DSN of a server to create test databases on: OMS_TEST_POSTGRES_DSN when set; else a
 * PostgreSQL container when a Docker engine answers (one per test process, removed by the
 * Testcontainers reaper); else the local default server. It must answer: when it does not,
 * this throws, naming the server and how to provide one, so a missing database fails the test.
 */
export function testPostgresServer(): Promise<string> {
  server ??= (async () => {
    const configured = testVariable('OMS_TEST_POSTGRES_DSN');
    if (configured) return answering(configured, 'OMS_TEST_POSTGRES_DSN');
    if (await containerRuntimeAvailable()) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:15-alpine').start();
      return container.getConnectionUri();
    }
    return answering(DEFAULT_TEST_POSTGRES_DSN, 'the default server (OMS_TEST_POSTGRES_DSN is not set and no Docker engine answers)');
  })();
  return server;
}

async function answering(dsn: string, source: string): Promise<string> {
  try {
    await withAdmin(dsn, (client) => client.query('SELECT 1'));
  } catch (error) {
    const url = new URL(dsn);
    if (url.password) url.password = '***';
    throw new Error(
      `PostgreSQL for integration tests: ${source} at ${url.toString()} does not answer ` +
        `(${error instanceof Error ? error.message : String(error)}). Start it (bash tools/ci/ensure-postgres.sh, as .ci/run does), ` +
        'set OMS_TEST_POSTGRES_DSN to a server where the tests may create databases, or run a Docker engine for Testcontainers.',
    );
  }
  return dsn;
}

/** Creates a uniquely named, empty database for one test file; drop() it in afterAll. */
export async function createTestDatabase(prefix = 'db'): Promise<TestDatabase> {
  const serverDsn = await testPostgresServer();
  const safePrefix = prefix.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 20);
  const name = `oms_test_${safePrefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin(serverDsn, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverDsn);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    dsn: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(serverDsn, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(dsn: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: dsn, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
