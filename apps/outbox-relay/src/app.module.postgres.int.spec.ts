import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { OmsConfig } from '@oms/config';
import { MessagePublisher, UnitOfWork } from '@oms/domain';
import type { MemoryBroker } from '@oms/messaging';
import { HealthRegistry, OmsMetrics, OpsServer } from '@oms/observability';
import { OutboxRelay, PartitionAssignment } from '@oms/relay';
import { loadPostgresStorage, OutboxNotifications, RELAY_LEASES, type RelayLeases } from '@oms/storage';
import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { Client } from 'pg';
import { AppModule } from './app.module';

jest.setTimeout(60_000);

let database: TestDatabase;
let config: OmsConfig;

beforeAll(async () => {
  database = await createTestDatabase('relay_app');
  config = postgresTestConfig(database.dsn, {
    OMS_METRICS_ADDR: '127.0.0.1:0',
    // An hour: only NOTIFY (LISTEN oms_outbox) can make a publication prompt.
    OMS_OUTBOX_POLL_INTERVAL: '1h',
    OMS_OUTBOX_LEASE_TTL: '1500ms',
    OMS_OUTBOX_PARTITIONS: '4',
    LOG_LEVEL: 'silent',
  });
  const storage = await loadPostgresStorage();
  await storage.runMigrations(storage.postgresSettingsOf(config));
});

afterAll(async () => {
  await database?.drop();
});

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
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

describe('outbox-relay app on PostgreSQL', () => {
  it('leases the partitions, wakes on NOTIFY, reports relay_lease, and releases everything on close', async () => {
    const app: INestApplicationContext = await NestFactory.createApplicationContext(
      AppModule.forRoot({ config, logDestination: new PassThrough() }),
      { logger: false },
    );
    await app.init();
    let owner = '';
    try {
      const leases = app.get<RelayLeases>(RELAY_LEASES);
      owner = leases.owner;
      expect(app.get(PartitionAssignment)).toBe(leases);
      expect(app.get(OutboxNotifications).listening).toBe(true);
      await until('the relay holds every partition', () => leases.status().partitions.length === 4);

      const broker = app.get(MessagePublisher) as unknown as MemoryBroker;
      const messageId = randomUUID();
      await app.get(UnitOfWork).commit(
        { outbox: [{ messageId, topic: 'oms.order.events', key: 'order-1', payload: '{}', headers: { ce_id: messageId } }] },
        new Date(),
      );
      await until('the row is published long before the hourly poll', () => broker.messages('oms.order.events').length === 1);

      const { port } = app.get(OpsServer).address();
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
        details: Record<string, { status: string; partitions?: number; owner?: string }>;
      };
      expect(health.details['relay_lease']).toMatchObject({ status: 'up', partitions: 4, owner });
      expect(app.get(HealthRegistry).list().map((check) => check.name).sort()).toEqual([
        'broker',
        'database',
        'outbox_backlog',
        'relay_lease',
      ]);
      const exposition = await app.get(OmsMetrics).expose();
      expect(exposition).toMatch(/^oms_outbox_partitions_owned 4$/m);
      expect(exposition).toMatch(/^oms_outbox_lease_heartbeat_age_seconds \d+(\.\d+)?(e-\d+)?$/m); // not -1: it heartbeats
    } finally {
      await app.close();
    }
    expect(app.get(OutboxRelay).isRunning).toBe(false);
    const live = await sql('SELECT partition FROM outbox_leases WHERE owner = $1 AND lease_until > now()', [owner]);
    expect(live).toEqual([]);
    expect(await sql('SELECT owner FROM outbox_relay_members WHERE owner = $1', [owner])).toEqual([]);
  });
});
