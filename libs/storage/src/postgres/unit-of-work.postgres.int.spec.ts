import { commitConflictId, ConcurrencyError, UuidV7IdGenerator, orderStreamId, outboxPartition, type ChangeSet, type SagaRecord } from '@oms/domain';
import { Client, type Notification } from 'pg';
import type { StorageDrivers } from '../storage-drivers';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';
import { createPostgresDrivers } from './postgres-drivers';
import { OUTBOX_NOTIFY_CHANNEL, PostgresUnitOfWork } from './unit-of-work.postgres';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

const ids = new UuidV7IdGenerator();
let database: MigratedTestDatabase;
let drivers: StorageDrivers;

beforeAll(async () => {
  database = await createMigratedTestDatabase('uow');
  drivers = await database.drivers();
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

/** A change set touching every table, as a saga step that also answers an API request would. */
function everything(orderId: string, saga: SagaRecord): Required<ChangeSet> {
  const eventId = ids.newId();
  return {
    append: {
      streamId: orderStreamId(orderId),
      expectedVersion: 0,
      events: [{ eventId, type: 'OrderPlaced', schemaVersion: 1, data: { orderId }, metadata: { occurredAt: '2026-06-01T00:00:00.000Z' } }],
    },
    outbox: [{ messageId: eventId, topic: 'oms.order.events', key: orderId, payload: '{}', headers: { ce_id: eventId } }],
    projection: {
      orderId,
      customerId: ids.newId(),
      status: 'PENDING',
      currency: 'EUR',
      totalMinor: 100,
      items: [{ sku: 'A', qty: 1, unitPriceMinor: 100 }],
      version: 1,
      createdAt: '2026-06-01T00:00:00.000Z',
      updatedAt: '2026-06-01T00:00:00.000Z',
    },
    idempotency: { key: `key-${ids.newId()}`, scope: 'CreateOrder', response: { status: 201, body: { orderId } } },
    saga,
    inbox: { consumer: 'saga-orchestrator', messageId: ids.newId() },
  };
}

const aSaga = (orderId: string): SagaRecord => ({
  sagaId: ids.newId(),
  orderId,
  kind: 'fulfilment',
  status: 'RUNNING',
  state: { step: 'reserve' },
  version: 0,
  nextAttemptAt: new Date('2026-06-01T00:00:00.000Z'),
  deadlineAt: null,
  createdAt: new Date('2026-06-01T00:00:00.000Z'),
  updatedAt: new Date('2026-06-01T00:00:00.000Z'),
});

/** Counts every row the change set could have written. */
async function persisted(change: Required<ChangeSet>) {
  const count = async (text: string, params: unknown[]) => (await database.sql.query(text, params)).rowCount;
  return {
    events: await count('SELECT 1 FROM events WHERE stream_id = $1', [change.append.streamId]),
    outbox: await count('SELECT 1 FROM outbox WHERE key = $1', [change.outbox[0].key]),
    projection: await count('SELECT 1 FROM orders_view WHERE order_id = $1', [change.projection.orderId]),
    idempotencyCompleted: await count(`SELECT 1 FROM idempotency_keys WHERE key = $1 AND status = 'completed'`, [change.idempotency.key]),
    saga: await count('SELECT 1 FROM sagas WHERE saga_id = $1', [change.saga.sagaId]),
    inbox: await count('SELECT 1 FROM processed_messages WHERE message_id = $1', [change.inbox.messageId]),
  };
}

const NOTHING = { events: 0, outbox: 0, projection: 0, idempotencyCompleted: 0, saga: 0, inbox: 0 };

async function claim(key: string, now = new Date()) {
  await expect(drivers.idempotency.begin({ key, scope: 'CreateOrder', requestHash: 'h', lockMs: 30_000 }, now)).resolves.toEqual({
    outcome: 'started',
  });
}

describe('PostgresUnitOfWork atomicity', () => {
  it('commits all six parts in one go', async () => {
    const orderId = ids.newId();
    const change = everything(orderId, aSaga(orderId));
    await claim(change.idempotency.key);
    await expect(drivers.unitOfWork.commit(change, new Date())).resolves.toEqual({ nextVersion: 1, lastPosition: expect.any(Number) });
    await expect(persisted(change)).resolves.toEqual({ events: 1, outbox: 1, projection: 1, idempotencyCompleted: 1, saga: 1, inbox: 1 });
  });

  it('persists nothing when the last write of the commit fails inside the database', async () => {
    // A trigger on the inbox table (the last part written) fails the statement after every other part ran.
    await database.sql.query(`
      CREATE FUNCTION fail_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.consumer = 'doomed' THEN RAISE EXCEPTION 'inbox write failed on purpose'; END IF;
        RETURN NEW;
      END $$`);
    await database.sql.query('CREATE TRIGGER fail_inbox BEFORE INSERT ON processed_messages FOR EACH ROW EXECUTE FUNCTION fail_inbox()');
    try {
      const orderId = ids.newId();
      const change = { ...everything(orderId, aSaga(orderId)), inbox: { consumer: 'doomed', messageId: ids.newId() } };
      await claim(change.idempotency.key);
      await expect(drivers.unitOfWork.commit(change, new Date())).rejects.toThrow(/inbox write failed on purpose/);
      await expect(persisted(change)).resolves.toEqual(NOTHING);
      // The claim is still in flight, not completed: the client may retry.
      const { rows } = await database.sql.query<{ status: string }>('SELECT status FROM idempotency_keys WHERE key = $1', [
        change.idempotency.key,
      ]);
      expect(rows).toEqual([{ status: 'in_flight' }]);
    } finally {
      await database.sql.query('DROP TRIGGER fail_inbox ON processed_messages');
      await database.sql.query('DROP FUNCTION fail_inbox()');
    }
  });

  it('persists nothing when the saga version conflicts, and names the saga and both versions', async () => {
    const orderId = ids.newId();
    const saga = aSaga(orderId);
    await drivers.unitOfWork.commit({ saga }, new Date()); // stored at version 1
    const change = everything(orderId, { ...saga, version: 7 });
    await claim(change.idempotency.key);
    const error = await drivers.unitOfWork.commit(change, new Date()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: commitConflictId.saga(saga.sagaId), expectedVersion: 7, actualVersion: 1 });
    await expect(persisted(change)).resolves.toEqual({ ...NOTHING, saga: 1 });
  });

  it('persists nothing when the stream moved on, and reports the actual version', async () => {
    const orderId = ids.newId();
    const first = everything(orderId, aSaga(orderId));
    await claim(first.idempotency.key);
    await drivers.unitOfWork.commit(first, new Date());
    const second = everything(orderId, aSaga(orderId));
    await claim(second.idempotency.key);
    const error = await drivers.unitOfWork.commit(second, new Date()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: orderStreamId(orderId), expectedVersion: 0, actualVersion: 1 });
    const { rowCount } = await database.sql.query('SELECT 1 FROM sagas WHERE saga_id = $1', [second.saga.sagaId]);
    expect(rowCount).toBe(0);
    await expect(drivers.eventStore.readStream(orderStreamId(orderId))).resolves.toHaveLength(1);
  });
});

describe('idempotent replay', () => {
  it('replays the stored body exactly, keys in their original order', async () => {
    const key = ids.newId();
    const claim = { key, scope: 'CreateOrder', requestHash: 'h', lockMs: 30_000 };
    await expect(drivers.idempotency.begin(claim, new Date())).resolves.toEqual({ outcome: 'started' });
    const body = { order: { id: 'o-1', status: 'ORDER_STATUS_PENDING', amount: { currency: 'EUR', amountMinor: '1000' } }, z: 1, a: 2 };
    await drivers.unitOfWork.commit({ idempotency: { key, scope: 'CreateOrder', response: { status: 201, body } } }, new Date());
    const replay = await drivers.idempotency.begin(claim, new Date());
    expect(replay).toEqual({ outcome: 'replay', response: { status: 201, body } });
    expect(JSON.stringify(replay.outcome === 'replay' ? replay.response.body : null)).toBe(JSON.stringify(body));
  });
});

describe('PostgresUnitOfWork outbox notification', () => {
  let listener: Client;
  const received: Notification[] = [];

  beforeAll(async () => {
    listener = new Client({ connectionString: database.dsn });
    await listener.connect();
    listener.on('notification', (message) => received.push(message));
    await listener.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
  });

  afterAll(async () => {
    await listener?.end();
  });

  /** Waits for notifications by a round trip on the listening connection (they arrive before its reply). */
  const drain = async () => {
    await listener.query('SELECT 1');
    return received.splice(0);
  };

  it('notifies the relay with the partitions of a committed outbox write, and only once per commit', async () => {
    await drain();
    const keys = [ids.newId(), ids.newId()];
    await drivers.unitOfWork.commit(
      {
        outbox: keys.flatMap((key) => [
          { messageId: ids.newId(), topic: 't', key, payload: '1', headers: {} },
          { messageId: ids.newId(), topic: 't', key, payload: '2', headers: {} },
        ]),
      },
      new Date(),
    );
    await (drivers.unitOfWork as PostgresUnitOfWork).notified(); // the hint is sent after the commit
    const notes = await drain();
    expect(notes).toHaveLength(1);
    expect(notes[0].channel).toBe(OUTBOX_NOTIFY_CHANNEL);
    const partitions = keys.map((key) => outboxPartition(key, database.config.outbox.partitions));
    expect(notes[0].payload?.split(',').map(Number).sort((a, b) => a - b)).toEqual([...new Set(partitions)].sort((a, b) => a - b));
  });

  it('sends the notifications of commits in quick succession OMS_OUTBOX_MIN_ROUND_INTERVAL apart, the later ones together', async () => {
    const config = database.config;
    const spaced = await createPostgresDrivers({ ...config, outbox: { ...config.outbox, minRoundIntervalMs: 2_000 } });
    try {
      await drain();
      const keys = [ids.newId(), ids.newId(), ids.newId()];
      const arrivals: number[] = [];
      const onNote = () => arrivals.push(Date.now());
      listener.on('notification', onNote);
      for (const key of keys) {
        await spaced.unitOfWork.commit({ outbox: [{ messageId: ids.newId(), topic: 't', key, payload: '1', headers: {} }] }, new Date());
      }
      await (spaced.unitOfWork as PostgresUnitOfWork).notified();
      const notes = await drain();
      listener.off('notification', onNote);

      const partitionOf = (key: string) => outboxPartition(key, config.outbox.partitions);
      expect(notes.map((note) => note.payload)).toEqual([
        String(partitionOf(keys[0])),
        [...new Set(keys.slice(1).map(partitionOf))].sort((a, b) => a - b).join(','),
      ]);
      expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(1_900); // sent 2 s apart (timers may fire a little early)
    } finally {
      await spaced.close();
    }
  });

  it('does not notify for a commit that failed or wrote no outbox row', async () => {
    await drain();
    const orderId = ids.newId();
    const change = everything(orderId, { ...aSaga(orderId), version: 3 }); // saga conflict: fails
    await claim(change.idempotency.key);
    await expect(drivers.unitOfWork.commit(change, new Date())).rejects.toBeInstanceOf(ConcurrencyError);
    await drivers.unitOfWork.commit({ saga: aSaga(orderId) }, new Date());
    await (drivers.unitOfWork as PostgresUnitOfWork).notified();
    await expect(drain()).resolves.toEqual([]);
  });
});
