import type { StorageDrivers } from '../storage-drivers';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';
import { pagesRead, statementsOf } from '../testing/statement-cost';

// Real PostgreSQL on a shared machine: creating, migrating and filling a database takes seconds.
jest.setTimeout(120_000);

let database: MigratedTestDatabase;
let drivers: StorageDrivers;
const OLD = 100_000;
const RETAINED = 100_000;
const CUTOFF = new Date('2026-06-01T00:00:00Z');

beforeAll(async () => {
  database = await createMigratedTestDatabase('inbox_cleanup');
  drivers = await database.drivers();
  // As consumers write them: in processed_at order, the oldest first; half of them past the retention
  // (a first run, or one after the cleanup was off for a while).
  await database.sql.query(
    `INSERT INTO processed_messages (consumer, message_id, processed_at)
     SELECT 'oms-saga-orchestrator', 'message-' || i, $2::timestamptz + (i - $1::int) * interval '1 second'
     FROM generate_series(1, $3::int) AS i`,
    [OLD, CUTOFF, OLD + RETAINED],
  );
  await database.sql.query('VACUUM ANALYZE processed_messages');
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

it('deletes the ids handled before the cut-off, and the batch that finds none left reads no retained row', async () => {
  const { rows: old } = await database.sql.query<{ pages: number }>(
    `SELECT count(DISTINCT (ctid::text::point)[0])::int AS pages FROM processed_messages WHERE processed_at < $1`,
    [CUTOFF],
  );
  const oldPages = old[0]?.pages ?? 0;
  let deleted = 0;
  for (let batch = 1; batch > 0; deleted += batch) batch = await drivers.inbox.deleteProcessedBefore(CUTOFF, 1_000);
  expect(deleted).toBe(OLD - 1); // message-100000 was handled at the cut-off itself: kept
  const { rows } = await database.sql.query<{ kept: number; oldest: string }>(
    `SELECT count(*)::int AS kept, min(message_id) FILTER (WHERE processed_at = $1) AS oldest FROM processed_messages`,
    [CUTOFF],
  );
  expect(rows[0]).toEqual({ kept: RETAINED + 1, oldest: 'message-100000' });

  // The last batch of every run finds nothing; it must not read the retained rows to learn that
  // (a sequential scan reads every page: 1,870 here). Through the processed_at index it reads
  // the dead entries of the rows just deleted, and the rows they point to until a vacuum.
  const [statement, ...more] = await statementsOf(() => drivers.inbox.deleteProcessedBefore(CUTOFF, 1_000));
  expect(more).toEqual([]);
  const { rows: size } = await database.sql.query<{ pages: number }>(
    `SELECT pg_relation_size('processed_messages')::bigint / current_setting('block_size')::int AS pages`,
  );
  const tablePages = Number(size[0]?.pages);
  expect(tablePages).toBeGreaterThan(2 * oldPages - 10);
  expect(await pagesRead(database.sql, statement ?? '', [CUTOFF, 1_000])).toBeLessThan(oldPages); // a sequential scan: tablePages
});
