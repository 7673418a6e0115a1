import type { OmsConfig } from '@oms/config';
import { SystemClock, UuidV7IdGenerator, initialSagaState, type SagaRecord } from '@oms/domain';
import { EventSourcedOrderStreams } from '@oms/orders';
import { loadPostgresStorage, type StorageDrivers } from '@oms/storage';
import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, runMigratorCli } from './migrator.cli';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

let database: TestDatabase;
let config: OmsConfig;
let drivers: StorageDrivers;

beforeAll(async () => {
  database = await createTestDatabase('migrator_sagas');
  config = postgresTestConfig(database.dsn);
  expect((await migrator('migrate', 'up')).code).toBe(EXIT_OK);
  drivers = await (await loadPostgresStorage()).createPostgresDrivers(config);
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

async function migrator(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigratorCli(argv, config, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** A placed order with a fulfilment saga in COMPENSATION_FAILED, as the orchestrator leaves one. */
async function failedSaga(): Promise<{ orderId: string; sagaId: string }> {
  const ids = new UuidV7IdGenerator();
  const orders = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, new SystemClock(), ids);
  const orderId = ids.newId();
  const sagaId = ids.newId();
  await orders.execute(orderId, [
    { type: 'PlaceOrder', data: { orderId, customerId: 'c-cli', currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, unitPriceMinor: 900 }] } },
    { type: 'RequestPayment', data: { sagaId } },
    { type: 'RecordCompensationFailed', data: { sagaId, step: 'refund', reason: 'refund refused: partner says no' } },
  ]);
  const now = new Date();
  const saga: SagaRecord = {
    sagaId,
    orderId,
    kind: 'fulfilment',
    status: 'COMPENSATION_FAILED',
    state: { ...initialSagaState('fulfilment', sagaId, orderId), lastError: 'refund refused: partner says no' },
    version: 0,
    nextAttemptAt: null,
    deadlineAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await drivers.unitOfWork.commit({ saga }, now);
  return { orderId, sagaId };
}

describe('migrator sagas', () => {
  it('lists, shows, retries and resolves sagas through the admin service', async () => {
    const retried = await failedSaga();
    const resolved = await failedSaga();

    const list = await migrator('sagas', 'list', '--status', 'COMPENSATION_FAILED');
    expect(list.code).toBe(EXIT_OK);
    expect(list.out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${retried.sagaId} order ${retried.orderId} fulfilment COMPENSATION_FAILED step - attempts 0 next - updated .*: refund refused: partner says no$`)),
        expect.stringMatching(new RegExp(`^${resolved.sagaId} order ${resolved.orderId} fulfilment COMPENSATION_FAILED `)),
      ]),
    );
    expect(list.out.at(-1)).toBe('2 saga(s)');
    const paged = await migrator('sagas', 'list', '--status', 'COMPENSATION_FAILED', '--page-size', '1', '--json');
    const page = JSON.parse(paged.out[0]) as { sagas: { id: string }[]; nextPageToken: string };
    expect(page.sagas).toHaveLength(1);
    const next = await migrator('sagas', 'list', '--status', 'COMPENSATION_FAILED', '--page-size', '1', '--json', '--page-token', page.nextPageToken);
    expect([page.sagas[0].id, JSON.parse(next.out[0]).sagas[0].id].sort()).toEqual([retried.sagaId, resolved.sagaId].sort());

    const show = await migrator('sagas', 'show', retried.sagaId);
    expect(show.out[0]).toBe(`saga ${retried.sagaId} (fulfilment) of order ${retried.orderId}: COMPENSATION_FAILED, version 1`);
    expect(show.out.slice(3)).toEqual([
      expect.stringMatching(/^ {2}#2 .* OrderPaymentRequested$/),
      expect.stringMatching(/^ {2}#3 .* OrderCompensationFailed: refund refused: partner says no$/),
    ]);

    expect((await migrator('sagas', 'retry', retried.sagaId)).out).toEqual([
      expect.stringMatching(new RegExp(`^saga ${retried.sagaId} is RUNNING, due \\d{4}-.*: the saga orchestrator drives it at its next sweep$`)),
    ]);
    expect((await drivers.sagas.get(retried.sagaId))?.status).toBe('RUNNING');

    const resolve = await migrator('sagas', 'resolve', resolved.sagaId, '--note', 'refunded by hand', '--operator', 'ops-li');
    expect(resolve).toMatchObject({ code: EXIT_OK, err: [] });
    const stream = await drivers.eventStore.readStream(`order-${resolved.orderId}`);
    expect(stream.at(-1)).toMatchObject({
      type: 'OrderSagaResolved',
      data: { sagaId: resolved.sagaId, resolvedBy: 'ops-li', note: 'refunded by hand', reason: `saga ${resolved.sagaId} resolved by ops-li: refunded by hand` },
    });
    const outbox = await drivers.outbox.fetchPending([...Array(config.outbox.partitions).keys()], 1000);
    expect(outbox.some((row) => row.key === resolved.orderId && row.payload.includes('OrderSagaResolved'))).toBe(true);
    expect((await migrator('sagas', 'list', '--status', 'RESOLVED')).out[0]).toMatch(new RegExp(`^${resolved.sagaId} `));
  });

  it('fails with the reason on an unknown or finished saga (1) and on bad usage (2)', async () => {
    const unknown = await migrator('sagas', 'retry', 'no-such-saga');
    expect(unknown.code).toBe(EXIT_FAILED);
    expect(unknown.err[0]).toMatch(/saga no-such-saga does not exist/);
    const { sagaId } = await failedSaga();
    await migrator('sagas', 'resolve', sagaId, '--note', 'done');
    const again = await migrator('sagas', 'resolve', sagaId, '--note', 'again');
    expect(again.code).toBe(EXIT_FAILED);
    expect(again.err[0]).toMatch(/is RESOLVED: only RUNNING or COMPENSATION_FAILED sagas can be resolved/);
    expect((await migrator('sagas', 'resolve', sagaId)).code).toBe(EXIT_USAGE);
    expect((await migrator('sagas', 'list', '--status', 'STUCK')).code).toBe(EXIT_USAGE);
    expect((await migrator('sagas', 'list', '--older-than', 'soon')).code).toBe(EXIT_USAGE);
    expect((await migrator('sagas', 'show')).code).toBe(EXIT_USAGE);
    expect((await migrator('sagas', 'delete', sagaId)).code).toBe(EXIT_USAGE);
  });
});
