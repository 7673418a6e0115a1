import { randomUUID } from 'node:crypto';
import { outboxPartition } from '@oms/domain';
import type { StorageDrivers } from '../storage-drivers';
import { PostgresOutboxListener, parsePartitions } from './outbox-listener.postgres';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';

jest.setTimeout(60_000);

const PARTITIONS = 8;
let database: MigratedTestDatabase;
let drivers: StorageDrivers;

beforeAll(async () => {
  database = await createMigratedTestDatabase('outbox_listener', { OMS_OUTBOX_PARTITIONS: String(PARTITIONS) });
  drivers = await database.drivers();
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function commitRow(key: string): Promise<void> {
  const messageId = randomUUID();
  await drivers.unitOfWork.commit({ outbox: [{ messageId, topic: 'oms.order.events', key, payload: '{}', headers: {} }] }, new Date());
}

describe('PostgresOutboxListener', () => {
  it('hears every committed outbox write with its partition, and keeps hearing after its connection is killed', async () => {
    const heard: Array<readonly number[] | undefined> = [];
    const applicationName = `oms-listener-${randomUUID().slice(0, 8)}`;
    const listener = new PostgresOutboxListener({
      dsn: database.dsn,
      applicationName,
      reconnectDelayMs: 50,
      onNotify: (partitions) => heard.push(partitions),
    });
    await listener.start();
    try {
      expect(listener.listening).toBe(true);
      expect(heard).toEqual([undefined]); // "maybe missed something": on every (re)connect

      await commitRow('order-1');
      await until('the commit is heard', () => heard.length === 2);
      expect(heard[1]).toEqual([outboxPartition('order-1', PARTITIONS)]);

      // A rolled-back write is never announced: NOTIFY is delivered at commit only.
      await expect(
        database.sql.transaction(async (tx) => {
          await tx.query(`SELECT pg_notify('oms_outbox', '5')`);
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');

      const { rows } = await database.sql.query<{ killed: boolean }>(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      expect(rows).toEqual([{ killed: true }]);
      await until('the listener reconnected', () => listener.listening && heard.length === 3);
      expect(heard[2]).toBeUndefined();

      await commitRow('order-2');
      await until('a commit after the reconnect is heard', () => heard.length === 4);
      expect(heard[3]).toEqual([outboxPartition('order-2', PARTITIONS)]);
    } finally {
      await listener.close();
    }
    expect(listener.listening).toBe(false);
  });

  it('keeps retrying while the database is unreachable, without throwing', async () => {
    const listener = new PostgresOutboxListener({ dsn: 'postgres://postgres@127.0.0.1:1/none', reconnectDelayMs: 10, onNotify: () => undefined });
    await listener.start();
    expect(listener.listening).toBe(false);
    await listener.close();
  });

  it('reads the partition list of a notification', () => {
    expect(parsePartitions('3,7')).toEqual([3, 7]);
    expect(parsePartitions('')).toBeUndefined();
    expect(parsePartitions('x')).toBeUndefined();
  });
});
