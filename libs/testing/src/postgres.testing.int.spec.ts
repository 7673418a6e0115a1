import { Client } from 'pg';
import { createTestDatabase, testPostgresServer } from './postgres.testing';

// Creating and dropping databases on a shared machine takes seconds.
jest.setTimeout(60_000);

async function databaseExists(serverDsn: string, name: string): Promise<boolean> {
  const client = new Client({ connectionString: serverDsn });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates a uniquely named empty database, reachable through its DSN, and drops it', async () => {
    const server = await testPostgresServer();
    const [a, b] = await Promise.all([createTestDatabase('Spec One!'), createTestDatabase('spec')]);
    try {
      expect(a.name).not.toBe(b.name);
      expect(a.name).toMatch(/^oms_test_spec_one_[a-z0-9_]+$/);
      const client = new Client({ connectionString: a.dsn });
      await client.connect();
      try {
        const { rows } = await client.query<{ db: string; tables: string }>(
          `SELECT current_database() AS db, (SELECT count(*) FROM pg_tables WHERE schemaname = 'public') AS tables`,
        );
        expect(rows[0]).toEqual({ db: a.name, tables: '0' });
      } finally {
        await client.end();
      }
      await expect(databaseExists(server, a.name)).resolves.toBe(true);
    } finally {
      await a.drop();
      await b.drop();
    }
    await expect(databaseExists(server, a.name)).resolves.toBe(false);
    await expect(databaseExists(server, b.name)).resolves.toBe(false);
    await expect(a.drop()).resolves.toBeUndefined();
  });

  it('drops a database that still has open connections', async () => {
    const server = await testPostgresServer();
    const database = await createTestDatabase('busy');
    const client = new Client({ connectionString: database.dsn });
    client.on('error', () => undefined); // the forced drop terminates this session
    await client.connect();
    await database.drop();
    await expect(databaseExists(server, database.name)).resolves.toBe(false);
    await client.end().catch(() => undefined);
  });
});
