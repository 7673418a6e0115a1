import { randomUUID } from 'node:crypto';
import type { OmsConfig } from '@oms/config';
import { toOutboxMessage } from '@oms/contracts';
import { orderStreamId, type NewEvent, type StoredEvent } from '@oms/domain';
import { OMS_TOPICS } from '@oms/messaging';
import { loadPostgresStorage, type StorageDrivers } from '@oms/storage';
import { createTestDatabase, postgresTestConfig, startKafkaMock, testConfig, type TestDatabase } from '@oms/testing';
import { Client, type Notification } from 'pg';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, runMigratorCli } from './migrator.cli';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

const PARTITIONS = 8;
let database: TestDatabase;
let config: OmsConfig;
let drivers: StorageDrivers;

beforeAll(async () => {
  database = await createTestDatabase('migrator_outbox');
  config = postgresTestConfig(database.dsn, { OMS_OUTBOX_PARTITIONS: String(PARTITIONS) });
  expect((await migrator('migrate', 'up')).code).toBe(EXIT_OK);
  drivers = await (await loadPostgresStorage()).createPostgresDrivers(config);
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

beforeEach(async () => {
  await sql('DELETE FROM outbox');
});

async function migrator(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigratorCli(argv, config, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Collects NOTIFY oms_outbox while `work` runs. */
async function notificationsDuring(work: () => Promise<void>): Promise<string[]> {
  const client = new Client({ connectionString: database.dsn });
  const heard: string[] = [];
  await client.connect();
  try {
    client.on('notification', (message: Notification) => heard.push(message.payload ?? ''));
    await client.query('LISTEN oms_outbox');
    await work();
    await client.query('SELECT 1'); // notifications sent before this round trip have arrived
    return heard;
  } finally {
    await client.end();
  }
}

interface OutboxRow {
  id: string;
  message_id: string;
  topic: string;
  key: string;
  partition: number;
  payload: string;
  headers: Record<string, string>;
  status: string;
  attempts: number;
}

const outboxRows = () => sql<OutboxRow>('SELECT * FROM outbox ORDER BY id');

async function commitRows(...keys: string[]): Promise<void> {
  for (const key of keys) {
    const messageId = randomUUID();
    await drivers.unitOfWork.commit({ outbox: [{ messageId, topic: 'oms.order.events', key, payload: `{"key":"${key}"}`, headers: {} }] }, new Date());
  }
}

describe('migrator outbox dead-letters reprocess', () => {
  it('lists dead letters on a dry run, and with --execute sets them pending again (oldest first, --limit) and wakes the relays', async () => {
    await commitRows('order-a', 'order-b', 'order-c', 'order-d');
    const [a, , c, d] = await outboxRows();
    for (const row of [a, c, d]) await drivers.outbox.recordFailure(Number(row.id), `refused ${row.key}`, true);
    await drivers.outbox.markSent([Number(d.id)]); // a failed row is never marked sent: stays failed

    const dry = await migrator('outbox', 'dead-letters', 'reprocess');
    expect(dry.code).toBe(EXIT_OK);
    expect(dry.err).toEqual([]);
    expect(dry.out).toHaveLength(4);
    expect(dry.out[0]).toMatch(new RegExp(`^dead +#${a.id} message ${a.message_id} key order-a topic oms.order.events attempts 1 at .*: refused order-a$`));
    expect(dry.out[1]).toContain(`#${c.id} `);
    expect(dry.out[3]).toBe('3 dead-lettered row(s) listed (dry run: nothing changed, add --execute to republish)');
    expect((await outboxRows()).map((row) => row.status)).toEqual(['failed', 'pending', 'failed', 'failed']);

    let one: Awaited<ReturnType<typeof migrator>> | undefined;
    const heard = await notificationsDuring(async () => {
      one = await migrator('outbox', 'dead-letters', 'reprocess', '--execute', '--limit', '1');
    });
    expect(one?.code).toBe(EXIT_OK);
    expect(one?.out).toEqual([
      expect.stringMatching(new RegExp(`^requeued #${a.id} message ${a.message_id} key order-a `)),
      '1 dead-lettered row(s) set pending again: the relay republishes them; 2 more dead-lettered row(s) left (raise --limit or run again)',
    ]);
    expect(heard).toEqual([String(a.partition)]);
    const afterOne = await outboxRows();
    expect(afterOne.map((row) => [row.status, row.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['failed', 1],
      ['failed', 1],
    ]);
    // The relay's own query now returns the row again, in its id order.
    const fetched = await drivers.outbox.fetchPending([a.partition], 10);
    expect(fetched.map((row) => row.id)).toContain(Number(a.id));

    // The previous spelling does the same, and says which command replaces it.
    const rest = await migrator('outbox', 'dlq-reprocess', '--execute');
    expect(rest.err).toEqual([expect.stringContaining('"outbox dlq-reprocess" is deprecated, use "outbox dead-letters reprocess"')]);
    expect(rest.out.at(-1)).toBe('2 dead-lettered row(s) set pending again: the relay republishes them');
    expect((await outboxRows()).every((row) => row.status === 'pending')).toBe(true);
    expect((await migrator('outbox', 'dead-letters', 'reprocess')).out).toEqual([
      '0 dead-lettered row(s) listed (dry run: nothing changed, add --execute to republish)',
    ]);
  });
});

describe('migrator events replay', () => {
  const orderIds = [randomUUID(), randomUUID(), randomUUID()];
  let stored: StoredEvent[] = [];
  let secondOrderAt: Date;

  beforeAll(async () => {
    const event = (type: string, occurredAt: string): NewEvent => ({
      eventId: randomUUID(),
      type,
      schemaVersion: 1,
      data: { note: type },
      metadata: { occurredAt, traceparent: `00-${randomUUID().replace(/-/g, '')}-${'1'.repeat(16)}-01` },
    });
    const start = Date.parse('2026-03-01T10:00:00Z');
    secondOrderAt = new Date(start + 60_000);
    for (const [index, orderId] of orderIds.entries()) {
      const at = (offset: number) => new Date(start + index * 60_000 + offset).toISOString();
      await drivers.eventStore.append({
        streamId: orderStreamId(orderId),
        expectedVersion: 0,
        events: [event('OrderPlaced', at(0)), event('PaymentRequested', at(1_000)), event('StockReserved', at(2_000))],
      });
    }
    stored = await drivers.eventStore.readAll(0, 100);
    expect(stored).toHaveLength(9);
  });

  const expectedRows = (events: readonly StoredEvent[]) =>
    events.map((event) => {
      const message = toOutboxMessage(event, event.streamId.slice('order-'.length));
      return { message_id: message.messageId, topic: message.topic, key: message.key, payload: message.payload, headers: message.headers };
    });
  const written = async () =>
    (await outboxRows()).map((row) => ({ message_id: row.message_id, topic: row.topic, key: row.key, payload: row.payload, headers: row.headers }));

  it('counts on a dry run and writes nothing', async () => {
    const dry = await migrator('events', 'replay', '--from-position', String(stored[0].position));
    expect(dry.code).toBe(EXIT_OK);
    expect(dry.out).toEqual([
      `9 event(s) of 3 order(s), positions ${stored[0].position}..${stored[8].position} (positions ${stored[0].position}..end) would be replayed (dry run: nothing written, add --execute)`,
    ]);
    expect(await outboxRows()).toEqual([]);
  });

  it('re-inserts a position range into the outbox with the original event ids, in stream order, and wakes the relays', async () => {
    const range = stored.slice(2, 7);
    let result: Awaited<ReturnType<typeof migrator>> | undefined;
    const heard = await notificationsDuring(async () => {
      result = await migrator('events', 'replay', '--from-position', String(range[0].position), '--to-position', String(range[4].position), '--execute');
    });
    expect(result?.code).toBe(EXIT_OK);
    expect(result?.out.at(-1)).toBe(
      `5 event(s) of 3 order(s), positions ${range[0].position}..${range[4].position} (positions ${range[0].position}..${range[4].position}) ` +
        'written to the outbox with their original event ids: the relay publishes them',
    );
    expect(await written()).toEqual(expectedRows(range));
    expect((await outboxRows()).every((row) => row.status === 'pending')).toBe(true);
    expect(heard.length).toBeGreaterThan(0);
  });

  it('re-inserts the events that occurred in a time window (--since inclusive, --until exclusive)', async () => {
    const result = await migrator(
      'events',
      'replay',
      '--since',
      secondOrderAt.toISOString(),
      '--until',
      new Date(secondOrderAt.getTime() + 60_000).toISOString(),
      '--execute',
    );
    expect(result.code).toBe(EXIT_OK);
    expect(await written()).toEqual(expectedRows(stored.filter((event) => event.streamId === orderStreamId(orderIds[1]))));
  });

  it('says so when the range holds no events', async () => {
    const result = await migrator('events', 'replay', '--since', '2030-01-01T00:00:00Z', '--execute');
    expect(result.out).toEqual(['no order events in occurred 2030-01-01T00:00:00.000Z .. now: nothing to replay']);
    expect(await outboxRows()).toEqual([]);
  });
});

describe('migrator topics create', () => {
  it('answers a missing KAFKA_BROKERS as bad configuration: a clear message and exit 2, as the usage text says', async () => {
    const err: string[] = [];
    const code = await runMigratorCli(['topics', 'create'], testConfig(), { out: () => undefined, err: (line) => err.push(line) });
    expect(code).toBe(EXIT_USAGE);
    expect(err).toEqual(['migrator: topics create needs KAFKA_BROKERS (the Kafka bootstrap brokers)']);
  });

  // Our own broker on purpose: the second half needs one without CreateTopics. startKafkaMock
  // throws, naming what to install, when tools/kafka-mock cannot be built.
  it('reports existing topics, and explains when the broker has no CreateTopics', async () => {
    const withTopics = await startKafkaMock(OMS_TOPICS);
    try {
      const brokers = { KAFKA_BROKERS: withTopics.brokers.join(','), OMS_KAFKA_IDEMPOTENT: 'false' };
      const out: string[] = [];
      const code = await runMigratorCli(['topics', 'create'], testConfig(brokers), { out: (l) => out.push(l), err: (l) => out.push(l) });
      expect({ code, out }).toEqual({ code: EXIT_OK, out: ['nothing to create: every OMS topic exists'] });
    } finally {
      await withTopics.stop();
    }

    const bare = await startKafkaMock([]);
    try {
      const err: string[] = [];
      const code = await runMigratorCli(['topics', 'create'], testConfig({ KAFKA_BROKERS: bare.brokers.join(',') }), {
        out: () => undefined,
        err: (line) => err.push(line),
      });
      expect(code).toBe(EXIT_FAILED);
      expect(err).toHaveLength(1);
      expect(err[0]).toContain('the Kafka broker refused CreateTopics');
      expect(err[0]).toContain('migrator topics create --dry-run');
    } finally {
      await bare.stop();
    }
  });
});
