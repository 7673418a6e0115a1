import { randomUUID } from 'node:crypto';
import type { OmsConfig } from '@oms/config';
import { outboxPartition, type OutboxMessage } from '@oms/domain';
import { MemoryBroker } from '@oms/messaging';
import { loadPostgresStorage, type StorageDrivers } from '@oms/storage';
import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { Client } from 'pg';
import { OutboxRelay, type RelayLogger } from './outbox-relay';
import { relayOptionsFromConfig } from './relay.options';

// Real PostgreSQL on a shared machine: creating and migrating a database takes seconds.
jest.setTimeout(60_000);

const TOPIC = 'oms.order.events';
const silentLogger: RelayLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const message = (key: string, payload: string): OutboxMessage => {
  const messageId = randomUUID();
  return { messageId, topic: TOPIC, key, payload, headers: { ce_id: messageId } };
};

describe('OutboxRelay on PostgreSQL: a row that commits late', () => {
  let database: TestDatabase;
  let config: OmsConfig;
  let drivers: StorageDrivers;
  let writer: Client;

  beforeAll(async () => {
    database = await createTestDatabase('relay_late_commit');
    config = postgresTestConfig(database.dsn, { OMS_OUTBOX_PARTITIONS: '4', OMS_OUTBOX_POLL_INTERVAL: '20ms' });
    const postgres = await loadPostgresStorage();
    await postgres.runMigrations(postgres.postgresSettingsOf(config));
    drivers = await postgres.createPostgresDrivers(config);
    writer = new Client({ connectionString: database.dsn });
    await writer.connect();
  });
  afterAll(async () => {
    await writer?.end();
    await drivers?.close();
    await database?.drop();
  });

  it('is published after a later row of the same partition was, not skipped for its lower id', async () => {
    const partitions = config.outbox.partitions;
    // Two orders whose rows share an outbox partition: the relay publishes that partition in id order.
    const early = `order-early-${randomUUID()}`;
    let late = '';
    for (let i = 0; late === ''; i++) {
      const candidate = `order-late-${i}`;
      if (outboxPartition(candidate, partitions) === outboxPartition(early, partitions)) late = candidate;
    }
    const broker = new MemoryBroker();
    const relay = new OutboxRelay({
      outbox: drivers.outbox,
      publisher: broker,
      options: relayOptionsFromConfig(config),
      logger: silentLogger,
    });
    const delivered = () => broker.messages(TOPIC).map((published) => published.value);
    relay.start();
    try {
      // A transaction takes its id from the sequence now, and commits only later.
      const held = message(early, 'committed-late');
      await writer.query('BEGIN');
      const { rows } = await writer.query<{ id: string }>(
        `INSERT INTO outbox (message_id, topic, key, partition, payload, headers, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id`,
        [held.messageId, held.topic, held.key, outboxPartition(early, partitions), held.payload, JSON.stringify(held.headers)],
      );
      const heldId = Number(rows[0]?.id);

      await drivers.unitOfWork.commit({ outbox: [message(late, 'committed-first')] }, new Date());
      await until('the row committed first is published', () => delivered().includes('committed-first'));
      const { rows: ids } = await writer.query<{ id: string }>(`SELECT id FROM outbox WHERE key = $1`, [late]);
      expect(Number(ids[0]?.id)).toBeGreaterThan(heldId); // the published row has the higher id
      expect(delivered()).toEqual(['committed-first']);

      await writer.query('COMMIT');
      await until('the late row is published too', () => delivered().includes('committed-late'));
      // Once each; the two keys may sit on different broker partitions, so their relative order is not defined.
      expect([...delivered()].sort()).toEqual(['committed-first', 'committed-late']);
      await until('nothing is pending', async () => (await drivers.outbox.stats()).pending === 0);
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      await relay.stop();
    }
  });
});
