import { FixedClock } from '@oms/domain/testing';
import { OmsMetrics } from '@oms/observability';
import { IdempotencyCleanupWorker } from '@oms/orders';
import type { StorageDrivers } from '../storage-drivers';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

let database: MigratedTestDatabase;
let drivers: StorageDrivers;

beforeAll(async () => {
  database = await createMigratedTestDatabase('cleanup', { OMS_IDEMPOTENCY_CLEANUP_BATCH_SIZE: '500' });
  drivers = await database.drivers();
  // Records how many rows every single DELETE statement removed (statement trigger + transition table).
  await database.sql.query('CREATE TABLE delete_log (id serial PRIMARY KEY, deleted int NOT NULL)');
  await database.sql.query(`
    CREATE FUNCTION log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO delete_log (deleted) SELECT count(*) FROM gone;
      RETURN NULL;
    END $$`);
  await database.sql.query(
    'CREATE TRIGGER log_delete AFTER DELETE ON idempotency_keys REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION log_delete()',
  );
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});


async function metricValue(metrics: OmsMetrics, name: string, label?: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => label === undefined || v.labels['result'] === label);
  return Number(value?.value ?? NaN);
}

// The order-api's cleanup worker, run against the PostgreSQL idempotency store.
describe('idempotency key cleanup (PostgreSQL)', () => {
  it('deletes only the 5,000 expired keys, in statements of at most the batch size, and reports the metrics', async () => {
    const now = new Date('2026-07-01T12:00:00.000Z');
    const ttlMs = database.config.idempotency.ttlMs;
    const batchSize = database.config.idempotency.cleanupBatchSize;
    expect(ttlMs).toBe(24 * 3600 * 1000);
    // 5,000 keys created 25 h ago (expired; half completed, half stuck in flight) and 100 created 1 h ago.
    await database.sql.query(
      `INSERT INTO idempotency_keys (key, scope, request_hash, status, response, locked_until, created_at)
       SELECT 'expired-' || i, 'CreateOrder', 'h', CASE WHEN i % 2 = 0 THEN 'completed' ELSE 'in_flight' END,
              CASE WHEN i % 2 = 0 THEN '{"status":201,"body":{}}'::json END, NULL, $1::timestamptz - interval '25 hours'
       FROM generate_series(1, 5000) i`,
      [now],
    );
    await database.sql.query(
      `INSERT INTO idempotency_keys (key, scope, request_hash, status, created_at)
       SELECT 'live-' || i, 'CreateOrder', 'h', 'in_flight', $1::timestamptz - interval '1 hour' FROM generate_series(1, 100) i`,
      [now],
    );

    const metrics = new OmsMetrics();
    const cleanup = new IdempotencyCleanupWorker(drivers.idempotency, new FixedClock(now), database.config, metrics);

    await expect(cleanup.runOnce()).resolves.toBe(5000);

    const left = await database.sql.query<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key');
    expect(left.rowCount).toBe(100);
    expect(left.rows.every((row) => row.key.startsWith('live-'))).toBe(true);
    const log = await database.sql.query<{ deleted: number }>('SELECT deleted FROM delete_log ORDER BY id');
    const perStatement = log.rows.map((row) => row.deleted);
    expect(perStatement.reduce((sum, n) => sum + n, 0)).toBe(5000);
    expect(Math.max(...perStatement)).toBeLessThanOrEqual(batchSize);
    expect(perStatement.length).toBeGreaterThanOrEqual(5000 / batchSize);
    expect(await metricValue(metrics, 'oms_idempotency_cleanup_runs_total', 'ok')).toBe(1);
    expect(await metricValue(metrics, 'oms_idempotency_cleanup_deleted_total')).toBe(5000);
    expect(await metricValue(metrics, 'oms_idempotency_cleanup_last_deleted')).toBe(5000);

    // A second run finds nothing, one short statement.
    await expect(cleanup.runOnce()).resolves.toBe(0);
    expect(await metricValue(metrics, 'oms_idempotency_cleanup_last_deleted')).toBe(0);
    expect(await metricValue(metrics, 'oms_idempotency_cleanup_runs_total', 'ok')).toBe(2);
    expect(await metricValue(metrics, 'oms_idempotency_cleanup_runs_total', 'error')).toBe(0);
  });
});
