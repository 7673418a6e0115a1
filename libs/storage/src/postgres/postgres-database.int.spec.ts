import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { postgresSettingsOf } from './data-source';
import { PostgresDatabase, type SqlExecutor } from './postgres-database';

// Real PostgreSQL on a shared machine: creating and dropping databases takes seconds.
jest.setTimeout(60_000);

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('database_loss');
});

afterAll(async () => {
  await database?.drop();
});

const open = (poolMax = '3') => PostgresDatabase.open(postgresSettingsOf(postgresTestConfig(database.dsn, { OMS_POSTGRES_POOL_MAX: poolMax })));

const backendPid = async (db: PostgresDatabase) => (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;

describe('PostgresDatabase when the server ends a connection', () => {
  it('fails the transaction that held it between two statements, and the process and the pool live on', async () => {
    // A restart (pg_ctl restart -m fast) or a failover ends every backend with FATAL 57P01. A
    // connection held by a transaction but waiting for no answer at that moment got the error as
    // an 'error' event, which nothing heard: the process died (seen as an outbox relay's exit in
    // the chaos run's PostgreSQL restart).
    const db = await open();
    const killer = await open();
    try {
      let release!: () => void;
      const between = new Promise<void>((resolve) => (release = resolve));
      let pid = 0;
      const transaction = db.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        pid = rows[0]?.pid ?? 0;
        await between; // the work between two statements
        await tx.query('SELECT 1');
      });
      transaction.catch(() => undefined);
      while (pid === 0) await new Promise((resolve) => setTimeout(resolve, 5));

      await killer.query('SELECT pg_terminate_backend($1)', [pid]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the FATAL reaches the idle client
      release();

      await expect(transaction).rejects.toThrow();
      // The broken connection left the pool; the next statements get a live one.
      await expect(db.query<{ one: number }>('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await expect(db.transaction((tx) => tx.query('SELECT 2 AS two'))).resolves.toMatchObject({ rows: [{ two: 2 }] });
    } finally {
      await db.close();
      await killer.close();
    }
  });
});

describe('PostgresDatabase when a statement fails', () => {
  it('keeps the connection: a conflict or a refused value costs no new connection', async () => {
    // pg.Pool's own query() dropped the connection after every failed statement: each commit
    // conflict then paid for a new backend and parsed every prepared statement again.
    const db = await open('1');
    try {
      await db.query('CREATE TABLE IF NOT EXISTS kept_connection (id int PRIMARY KEY)');
      await db.query('INSERT INTO kept_connection VALUES ($1) ON CONFLICT DO NOTHING', [1]);
      const before = await backendPid(db);

      await expect(db.query('INSERT INTO kept_connection VALUES ($1)', [1])).rejects.toMatchObject({ code: '23505' });
      await expect(db.query('SELECT 1 / $1::int AS quotient', [0])).rejects.toMatchObject({ code: '22012' });

      expect(await backendPid(db)).toBe(before);
    } finally {
      await db.close();
    }
  });

  it('drops a connection whose prepared statement a migration made stale, so the statement works again on the next', async () => {
    const db = await open('1');
    try {
      await db.query('CREATE TABLE IF NOT EXISTS stale_plan (id int PRIMARY KEY, amount int NOT NULL)');
      await db.query('INSERT INTO stale_plan VALUES ($1, $2) ON CONFLICT DO NOTHING', [1, 100]);
      const read = () => db.query<{ amount: string | number }>('SELECT amount FROM stale_plan WHERE id = $1', [1]); // a named prepared statement
      await read();
      await db.query('ALTER TABLE stale_plan ALTER COLUMN amount TYPE bigint');

      await expect(read()).rejects.toMatchObject({ code: '0A000' }); // cached plan must not change result type
      await expect(read()).resolves.toMatchObject({ rows: [{ amount: '100' }] });

      // The same inside a transaction: rolled back, and the connection goes too.
      const readIn = (tx: SqlExecutor) => tx.query('SELECT amount FROM stale_plan WHERE id = $1', [1]);
      await db.transaction(readIn);
      await db.query('ALTER TABLE stale_plan ALTER COLUMN amount TYPE int');
      await expect(db.transaction(readIn)).rejects.toMatchObject({ code: '0A000' });
      await expect(db.transaction(readIn)).resolves.toMatchObject({ rows: [{ amount: 100 }] });
    } finally {
      await db.close();
    }
  });

  it('fails a statement whose connection the server ended, and the next statement gets a live one', async () => {
    const db = await open('1');
    const killer = await open();
    try {
      const victim = await backendPid(db);
      const sleeping = db.query('SELECT pg_sleep($1)', [10]);
      sleeping.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await killer.query('SELECT pg_terminate_backend($1)', [victim]);

      await expect(sleeping).rejects.toThrow();
      const next = await backendPid(db);
      expect(next).toBeDefined();
      expect(next).not.toBe(victim);
    } finally {
      await db.close();
      await killer.close();
    }
  });
});

describe('PostgresDatabase pool waits', () => {
  it('reports how long each statement waited for a connection', async () => {
    const db = await open('1');
    try {
      const waits: number[] = [];
      db.observeConnectionWait((waitMs) => waits.push(waitMs));
      // One connection: the second statement waits for the first one's 300 ms.
      await Promise.all([db.query('SELECT pg_sleep($1)', [0.3]), db.query('SELECT 1 AS one')]);
      await db.transaction((tx) => tx.query('SELECT 2 AS two'));
      expect(waits).toHaveLength(3); // one per statement or transaction
      expect((waits[1] ?? 0) - (waits[0] ?? 0)).toBeGreaterThanOrEqual(250);

      // A check-out that fails is a wait too (a pool timeout is the longest), and a throwing observer fails nothing.
      db.observeConnectionWait((waitMs) => {
        waits.push(waitMs);
        throw new Error('a broken metric');
      });
      await expect(db.query('SELECT 3 AS three')).resolves.toMatchObject({ rows: [{ three: 3 }] });
      await db.close();
      await expect(db.query('SELECT 4 AS four')).rejects.toThrow();
      expect(waits).toHaveLength(5);
    } finally {
      await db.close();
    }
  });
});
