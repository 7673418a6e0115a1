import { anEvent } from '../contract/storage-contract.fixtures';
import type { StorageDrivers } from '../storage-drivers';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';
import { pagesRead, statementsOf } from '../testing/statement-cost';

// Real PostgreSQL on a shared machine: creating, migrating and filling a database takes seconds.
jest.setTimeout(120_000);

let database: MigratedTestDatabase;
let drivers: StorageDrivers;

const FINISHED = 100_000;

beforeAll(async () => {
  database = await createMigratedTestDatabase('saga_count');
  drivers = await database.drivers();
  // Finished sagas are kept forever; a few are still running.
  await database.sql.query(
    `INSERT INTO sagas (saga_id, order_id, kind, status, state, version, next_attempt_at, created_at, updated_at)
     SELECT 'saga-' || i, 'order-' || i, 'payment', CASE WHEN i % 25000 = 0 THEN 'RUNNING' ELSE 'COMPLETED' END,
            '{}'::jsonb, 3, CASE WHEN i % 25000 = 0 THEN now() END, now(), now()
     FROM generate_series(1, $1::int) AS i`,
    [FINISHED],
  );
  await database.sql.query('VACUUM ANALYZE sagas');
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

it('counts the running sagas of the active-sagas gauge without reading the finished ones', async () => {
  let counted: number | undefined;
  const [statement, ...more] = await statementsOf(async () => {
    counted = await drivers.sagas.countRunning();
  });
  expect(counted).toBe(4);
  expect(more).toEqual([]);

  // What the statement costs with 100,000 finished sagas: a handful of pages, not one per ~1,000 sagas.
  expect(await pagesRead(database.sql, statement ?? '')).toBeLessThan(10);
});

it('reads a saga start in one statement, and no events when the saga exists', async () => {
  const streamId = 'order-start-read';
  await drivers.eventStore.append({ streamId, expectedVersion: 0, events: [anEvent(), anEvent()] });
  let read: Awaited<ReturnType<typeof drivers.sagas.getOrReadStream>> | undefined;
  const [statement, ...more] = await statementsOf(async () => {
    read = await drivers.sagas.getOrReadStream('saga-not-started', streamId);
  });
  expect(read?.stream?.map((event) => event.version)).toEqual([1, 2]);
  expect(more).toEqual([]);

  // saga-1 exists: its row comes back and the plan reads no event (the lateral read never runs).
  const { rows } = await database.sql.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`,
    ['saga-1', streamId],
  );
  const eventRows = (function rowsOfEvents(plan: Record<string, unknown>): number {
    const own = plan['Relation Name'] === 'events' ? Number(plan['Actual Rows'] ?? 0) * Number(plan['Actual Loops'] ?? 0) : 0;
    return own + ((plan['Plans'] as Record<string, unknown>[] | undefined) ?? []).reduce((sum, child) => sum + rowsOfEvents(child), 0);
  })(rows[0]?.['QUERY PLAN'][0]?.Plan ?? {});
  expect(eventRows).toBe(0);
  await expect(drivers.sagas.getOrReadStream('saga-1', streamId)).resolves.toMatchObject({ saga: { sagaId: 'saga-1' } });
});
