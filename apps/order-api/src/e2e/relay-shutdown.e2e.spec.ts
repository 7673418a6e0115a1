import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { outboxPartition } from '@oms/domain';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { buildApp, startApp, waitFor, waitUntilReady, type AppProcess } from './built-app';

// SIGTERM to the built outbox-relay (PostgreSQL outbox and leases) while it works through a
// large backlog: the batch in hand finishes (per partition the sent rows stay a gap-free prefix
// in id order, nothing is marked failed), its leases are released at once (not left to expire),
// it exits 0 within OMS_SHUTDOWN_TIMEOUT, and a second relay takes over and drains the rest.

jest.setTimeout(240_000);

const PARTITIONS = 8;
const ROWS = 40_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

let database: TestDatabase;
const started: AppProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase('relay_shutdown');
});
afterAll(async () => {
  for (const app of started) await app.stop('SIGKILL');
  await database?.drop();
});

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function counts(): Promise<{ pending: number; sent: number; failed: number }> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM outbox GROUP BY status`);
    const of = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
    return { pending: of('pending'), sent: of('sent'), failed: of('failed') };
  });
}

async function startRelay(main: string): Promise<AppProcess> {
  const app = await startApp(main, {
    LOG_LEVEL: 'info',
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: database.dsn,
    OMS_POSTGRES_AUTO_MIGRATE: 'true',
    OMS_BROKER_DRIVER: 'memory',
    OMS_OUTBOX_PARTITIONS: String(PARTITIONS),
    OMS_OUTBOX_BATCH_SIZE: '200',
    OMS_OUTBOX_POLL_INTERVAL: '20ms',
    OMS_OUTBOX_LEASE_TTL: '3s',
    OMS_OUTBOX_MAX_PENDING: String(ROWS * 2),
    OMS_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
  });
  started.push(app);
  return app;
}

/** Pending rows whose id is below a sent row of the same partition: a skipped or half-done batch. */
async function gaps(): Promise<number> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM outbox p
       WHERE p.status = 'pending'
         AND EXISTS (SELECT 1 FROM outbox s WHERE s.partition = p.partition AND s.status = 'sent' AND s.id > p.id)`,
    );
    return Number(rows[0]?.n ?? 0);
  });
}

const liveLeases = () =>
  withClient(async (client) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM outbox_leases WHERE lease_until > now()`)).rows[0]?.n ?? 0));

it('SIGTERM mid-backlog: the batch finishes, leases are released, a second relay drains the rest', async () => {
  const main = buildApp('outbox-relay');
  const first = await startRelay(main);
  await waitUntilReady(first);

  // A backlog the relay cannot finish before the signal: 40k rows over 200 keys.
  await withClient(async (client) => {
    const keys = Array.from({ length: ROWS }, (_, i) => `order-${i % 200}`);
    await client.query(
      `INSERT INTO outbox (message_id, topic, key, partition, payload, headers, created_at)
       SELECT id, 'oms.order.events', key, partition, '{}', jsonb_build_object('ce_id', id), now()
       FROM unnest($1::text[], $2::text[], $3::int[]) AS rows(id, key, partition)`,
      [keys.map(() => randomUUID()), keys, keys.map((key) => outboxPartition(key, PARTITIONS))],
    );
  });

  await waitFor('the relay to be publishing', async () => ((await counts()).sent >= 1_000 ? true : undefined), 60_000, 10);
  const signalAt = Date.now();
  const exit = await first.stop('SIGTERM');
  expect(exit.code).toBe(0);
  expect(exit.at - signalAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

  const afterFirst = await counts();
  expect(afterFirst.failed).toBe(0);
  expect(afterFirst.sent).toBeGreaterThan(0);
  expect(afterFirst.pending).toBeGreaterThan(0); // it really was stopped mid-backlog
  expect(await gaps()).toBe(0);
  expect(await liveLeases()).toBe(0);
  expect(first.output()).not.toMatch(/shutdown did not finish|"level":"(error|fatal)"/);

  // The next relay takes the partitions over at once (no TTL wait) and drains the backlog.
  const second = await startRelay(main);
  await waitFor('the backlog to drain', async () => ((await counts()).pending === 0 ? true : undefined), 120_000, 100);
  expect(await counts()).toEqual({ pending: 0, sent: ROWS, failed: 0 });
  expect((await second.stop('SIGTERM')).code).toBe(0);
  expect(await liveLeases()).toBe(0);
});
