import type { StorageDrivers } from '../storage-drivers';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';
import { pagesRead, statementsOf } from '../testing/statement-cost';

// Real PostgreSQL on a shared machine: creating, migrating and filling a database takes seconds.
jest.setTimeout(120_000);

let database: MigratedTestDatabase;
let drivers: StorageDrivers;
const SENT = 100_000;
const FAILED = 3;

beforeAll(async () => {
  database = await createMigratedTestDatabase('outbox_dead_letters');
  drivers = await database.drivers();
  // An outbox as a relay leaves it an hour into production: the sent history it keeps for
  // OMS_OUTBOX_RETENTION, and among it a few rows the relay gave up on.
  await database.sql.query(
    `INSERT INTO outbox (message_id, topic, key, partition, payload, headers, status, attempts, last_error, created_at, sent_at)
     SELECT 'message-' || i, 'oms.order.events', 'order-' || i, i % 16, '{"type":"OrderPlaced"}', '{}'::jsonb,
            CASE WHEN i % ($1::int / $2::int) = 0 THEN 'failed' ELSE 'sent' END,
            CASE WHEN i % ($1::int / $2::int) = 0 THEN 8 ELSE 0 END,
            CASE WHEN i % ($1::int / $2::int) = 0 THEN 'message too large' END,
            now(), CASE WHEN i % ($1::int / $2::int) = 0 THEN NULL ELSE now() END
     FROM generate_series(1, $1::int) AS i`,
    [SENT, FAILED],
  );
  await database.sql.query('VACUUM ANALYZE outbox');
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

it('lists and counts the dead letters without reading the sent history around them', async () => {
  const { rows: size } = await database.sql.query<{ pages: number }>(
    `SELECT pg_relation_size('outbox')::bigint / current_setting('block_size')::int AS pages`,
  );
  const tablePages = Number(size[0]?.pages);
  expect(tablePages).toBeGreaterThan(500);

  let batch: Awaited<ReturnType<StorageDrivers['outbox']['deadLetters']>> | undefined;
  const statements = await statementsOf(async () => (batch = await drivers.outbox.deadLetters(2)));
  expect(batch?.rows.map((row) => row.messageId)).toEqual(['message-33333', 'message-66666']);
  expect(batch?.rows[0]).toMatchObject({ attempts: 8, lastError: 'message too large' });
  expect(batch?.remaining).toBe(1);

  // The listing and the count: each reads a handful of pages through outbox_failed_idx, where a
  // sequential scan reads every page of the table.
  expect(statements).toHaveLength(2);
  for (const statement of statements) {
    const params = statement.includes('$1') ? [2] : [];
    expect(await pagesRead(database.sql, statement, params)).toBeLessThan(20);
  }
});

it('reprocesses them, finding them through the same index', async () => {
  let batch: Awaited<ReturnType<StorageDrivers['outbox']['requeueDeadLetters']>> | undefined;
  const statements = await statementsOf(async () => (batch = await drivers.outbox.requeueDeadLetters(10)));
  expect(batch?.rows.map((row) => row.messageId)).toEqual(['message-33333', 'message-66666', 'message-99999']);
  expect(batch?.remaining).toBe(0);

  // The reprocess statement again, on the rows set back to failed: it reads a few dozen pages (the
  // rows it updates and their index entries), where a scan for them reads the whole table.
  const [requeue] = statements.filter((statement) => statement.includes("status = 'failed'"));
  await database.sql.query(`UPDATE outbox SET status = 'failed' WHERE message_id IN ('message-33333', 'message-66666', 'message-99999')`);
  expect(await pagesRead(database.sql, requeue ?? '', [10])).toBeLessThan(60);
});
