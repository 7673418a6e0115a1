import type { IdempotencyClaim } from '@oms/domain';
import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import type { DataSource } from 'typeorm';
import { OMS_MIGRATIONS, createPostgresDataSource, postgresSettingsOf } from './data-source';
import { migrateDown, migrateUp } from './migrations.postgres';
import { createPostgresDrivers } from './postgres-drivers';
import type { StorageDrivers } from '../storage-drivers';

// Real PostgreSQL on a shared machine: creating and migrating a database takes seconds.
jest.setTimeout(60_000);

const ONE_KEY_SPACE = 'IdempotencyOneKeySpace1796659200000';
const ALL = OMS_MIGRATIONS.map((migration) => new migration().name);
const BEFORE = ALL.indexOf(ONE_KEY_SPACE);

/** The begin statement of the release before one key space, verbatim: a replica still running it during a rolling deploy. */
const OLD_RELEASE_BEGIN = `INSERT INTO idempotency_keys (key, scope, request_hash, status, locked_until, created_at)
  VALUES ($1, $2, $3, 'in_flight', $4, $5)
  ON CONFLICT (key, scope) DO UPDATE SET locked_until = EXCLUDED.locked_until
    WHERE idempotency_keys.status = 'in_flight'
      AND idempotency_keys.request_hash = EXCLUDED.request_hash
      AND idempotency_keys.locked_until < $5
  RETURNING 1`;

const now = new Date();
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const created = { outcome: 'created', body: { order: { id: 'o-created' } } };
const accepted = (orderId: string) => ({ outcome: 'accepted', body: { orderId, status: 'ORDER_STATUS_PENDING' } });
const claim = (key: string, scope: string, requestHash: string): IdempotencyClaim => ({ key, scope, requestHash, lockMs: 30_000 });

describe('idempotency keys across the one-key-space migration (PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let drivers: StorageDrivers | undefined;

  beforeAll(async () => {
    expect(BEFORE).toBeGreaterThan(0);
    database = await createTestDatabase('idem_key_space');
    dataSource = createPostgresDataSource(postgresSettingsOf(postgresTestConfig(database.dsn)));
    await dataSource.initialize();
    await migrateUp(dataSource, { steps: BEFORE });
    // Rows in the old shape, as the release before wrote them within the last 24 h: one key per
    // (key, scope), so one key reused for two orders was stored twice.
    const insert = (key: string, scope: string, hash: string, status: string, response: unknown, lockedUntil: Date | null, createdAt: Date) =>
      dataSource.query(
        `INSERT INTO idempotency_keys (key, scope, request_hash, status, response, locked_until, created_at, completed_at)
         VALUES ($1, $2, $3, $4, $5::json, $6, $7, CASE WHEN $4 = 'completed' THEN $7::timestamptz END)`,
        [key, scope, hash, status, response === null ? null : JSON.stringify(response), lockedUntil, createdAt],
      );
    await insert('k-create', 'CreateOrder', 'h-create', 'completed', created, null, ago(60 * 23));
    await insert('k-shared', 'PayOrder:o-a', 'h-pay-a', 'completed', accepted('o-a'), null, ago(30));
    await insert('k-shared', 'PayOrder:o-b', 'h-pay-b', 'completed', accepted('o-b'), null, ago(20));
    await insert('k-legacy', 'RefundOrder:o-r', 'h-refund', 'completed', { status: 202, body: { orderId: 'o-r' } }, null, ago(10));
    await insert('k-crashed', 'CancelOrder:o-c', 'h-cancel', 'in_flight', null, ago(1), ago(2));
    await insert('k-running', 'CancelOrder:o-d', 'h-cancel-d', 'in_flight', null, new Date(now.getTime() + 60_000), ago(0));

    await expect(migrateUp(dataSource)).resolves.toEqual(ALL.slice(BEFORE));
    drivers = await createPostgresDrivers(postgresTestConfig(database.dsn));
  });

  afterAll(async () => {
    await drivers?.close();
    await dataSource?.destroy();
    await database?.drop();
  });

  const store = () => {
    if (!drivers) throw new Error('drivers were not created');
    return drivers.idempotency;
  };

  it('replays every row written before the migration, a key stored twice included', async () => {
    await expect(store().begin(claim('k-create', 'CreateOrder', 'h-create'), now)).resolves.toEqual({ outcome: 'replay', response: created });
    await expect(store().begin(claim('k-shared', 'PayOrder:o-a', 'h-pay-a'), now)).resolves.toEqual({ outcome: 'replay', response: accepted('o-a') });
    await expect(store().begin(claim('k-shared', 'PayOrder:o-b', 'h-pay-b'), now)).resolves.toEqual({ outcome: 'replay', response: accepted('o-b') });
    await expect(store().begin(claim('k-legacy', 'RefundOrder:o-r', 'h-refund'), now)).resolves.toEqual({
      outcome: 'replay',
      response: { status: 202, body: { orderId: 'o-r' } },
    });
    await expect(store().begin(claim('k-running', 'CancelOrder:o-d', 'h-cancel-d'), now)).resolves.toEqual({ outcome: 'in_flight' });
  });

  it('refuses an old key for any other request, naming the scope it was first used for', async () => {
    await expect(store().begin(claim('k-create', 'PayOrder:o-a', 'h-x'), now)).resolves.toEqual({ outcome: 'mismatch', scope: 'CreateOrder' });
    await expect(store().begin(claim('k-create', 'CreateOrder', 'h-other-body'), now)).resolves.toEqual({ outcome: 'mismatch', scope: 'CreateOrder' });
    await expect(store().begin(claim('k-shared', 'CancelOrder:o-a', 'h-y'), now)).resolves.toEqual({ outcome: 'mismatch', scope: 'PayOrder:o-a' });
    await expect(store().begin(claim('k-running', 'CancelOrder:o-e', 'h-z'), now)).resolves.toEqual({ outcome: 'mismatch', scope: 'CancelOrder:o-d' });
  });

  it('lets the same request take over an old claim whose owner crashed, and completes it', async () => {
    const crashed = claim('k-crashed', 'CancelOrder:o-c', 'h-cancel');
    await expect(store().begin(crashed, now)).resolves.toEqual({ outcome: 'started' });
    await expect(store().begin(crashed, now)).resolves.toEqual({ outcome: 'in_flight' });
    await store().complete({ key: crashed.key, scope: crashed.scope, response: accepted('o-c') }, now);
    await expect(store().begin(crashed, now)).resolves.toEqual({ outcome: 'replay', response: accepted('o-c') });
  });

  it('works beside a replica of the release before (rolling deploy): each replays the other, the new one refuses its reuse', async () => {
    const oldBegin = async (key: string, scope: string, hash: string) =>
      ((await dataSource.query(OLD_RELEASE_BEGIN, [key, scope, hash, new Date(now.getTime() + 30_000), now])) as unknown[]).length === 1;

    // A request claimed by the new release, retried on an old replica: the old one finds it (its (key, scope) row).
    await expect(store().begin(claim('k-new', 'CreateOrder', 'h-new'), now)).resolves.toEqual({ outcome: 'started' });
    await expect(oldBegin('k-new', 'CreateOrder', 'h-new')).resolves.toBe(false);
    // ... and a request claimed by an old replica, retried on the new release: not started again.
    await expect(oldBegin('k-old', 'PayOrder:o-p', 'h-old')).resolves.toBe(true);
    await expect(store().begin(claim('k-old', 'PayOrder:o-p', 'h-old'), now)).resolves.toEqual({ outcome: 'in_flight' });
    await store().complete({ key: 'k-old', scope: 'PayOrder:o-p', response: accepted('o-p') }, now);
    await expect(store().begin(claim('k-old', 'PayOrder:o-p', 'h-old'), now)).resolves.toEqual({ outcome: 'replay', response: accepted('o-p') });
    // The new release refuses a key an old replica used, for another order.
    await expect(store().begin(claim('k-old', 'PayOrder:o-q', 'h-q'), now)).resolves.toEqual({ outcome: 'mismatch', scope: 'PayOrder:o-p' });
    const [row] = (await dataSource.query(`SELECT key_owner FROM idempotency_keys WHERE key = 'k-old'`)) as { key_owner: boolean }[];
    expect(row).toEqual({ key_owner: false });
  });

  it('reverts: down keeps every row in the old shape, which the release before reads as before; up again reads them too', async () => {
    await expect(migrateDown(dataSource, { steps: ALL.length - BEFORE })).resolves.toEqual(ALL.slice(BEFORE).reverse());
    const rows = (await dataSource.query(
      `SELECT key, scope, status FROM idempotency_keys WHERE key IN ('k-shared', 'k-new') ORDER BY key, scope`,
    )) as unknown[];
    expect(rows).toEqual([
      { key: 'k-new', scope: 'CreateOrder', status: 'in_flight' },
      { key: 'k-shared', scope: 'PayOrder:o-a', status: 'completed' },
      { key: 'k-shared', scope: 'PayOrder:o-b', status: 'completed' },
    ]);
    const replayed = (await dataSource.query(OLD_RELEASE_BEGIN, ['k-shared', 'PayOrder:o-b', 'h-pay-b', now, now])) as unknown[];
    expect(replayed).toEqual([]);

    await expect(migrateUp(dataSource)).resolves.toEqual(ALL.slice(BEFORE));
    await expect(store().begin(claim('k-shared', 'PayOrder:o-b', 'h-pay-b'), now)).resolves.toEqual({ outcome: 'replay', response: accepted('o-b') });
    await expect(store().begin(claim('k-new', 'PayOrder:o-a', 'h-x'), now)).resolves.toEqual({ outcome: 'mismatch', scope: 'CreateOrder' });
  });

  it('run again after a failed index build, replaces the INVALID index it left', async () => {
    const validity = async () =>
      ((await dataSource.query(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('idempotency_keys_key_owner_idx')`)) as unknown[])[0];
    // What an interrupted CREATE INDEX CONCURRENTLY leaves behind.
    await dataSource.query(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass('idempotency_keys_key_owner_idx')`);
    expect(await validity()).toEqual({ valid: false });
    const runner = dataSource.createQueryRunner();
    try {
      await new OMS_MIGRATIONS[BEFORE]().up(runner);
    } finally {
      await runner.release();
    }
    expect(await validity()).toEqual({ valid: true });
  });
});
