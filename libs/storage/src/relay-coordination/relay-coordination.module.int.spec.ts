import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UnitOfWork } from '@oms/domain';
import { HealthRegistry, OmsMetrics, OpsHealthService, PlatformModule } from '@oms/observability';
import { Client } from 'pg';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';
import { StorageModule } from '../storage.module';
import { OutboxNotifications } from './outbox-notifications.listener';
import { RelayCoordinationModule } from './relay-coordination.module';
import { RELAY_LEASES, type RelayLeases } from './relay-leases.provider';

// Real PostgreSQL on a shared machine: databases and pools take seconds.
jest.setTimeout(60_000);

let database: MigratedTestDatabase;

beforeAll(async () => {
  database = await createMigratedTestDatabase('relay_coordination', {
    OMS_OUTBOX_PARTITIONS: '4',
    OMS_OUTBOX_LEASE_TTL: '1500ms',
    OMS_METRICS_ADDR: '127.0.0.1:0',
    OMS_SERVICE_NAME: 'relay-coordination-test',
    LOG_LEVEL: 'silent',
  });
});

afterAll(async () => {
  await database?.drop();
});

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function listeners(): Promise<string[]> {
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT application_name AS name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%-listen'`,
    );
    return rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe('RelayCoordinationModule on PostgreSQL', () => {
  it('leases partitions with gauges and relay_lease, wakes subscribers on NOTIFY, and closes both on shutdown', async () => {
    @Module({
      imports: [
        PlatformModule.forRoot({ appName: 'test', config: database.config, logDestination: new PassThrough().resume(), exit: () => undefined }),
        StorageModule.forRoot(),
        RelayCoordinationModule,
      ],
    })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
    let leases: RelayLeases | undefined;
    try {
      leases = app.get<RelayLeases>(RELAY_LEASES);
      expect(leases.owner).toMatch(/^.+-\d+-[0-9a-f]{8}$/); // host-pid-random: readable in the leases table
      await expect(leases.owned()).resolves.toEqual([0, 1, 2, 3]); // the only member takes every partition

      const health = app.get(HealthRegistry).list().map((check) => check.name);
      expect(health.sort()).toEqual(['database', 'relay_lease']);
      const { body } = await app.get(OpsHealthService).report(); // what /healthz shows
      expect((body['details'] as Record<string, unknown>)['relay_lease']).toMatchObject({ status: 'up', partitions: 4, members: 1, leaseTtlMs: 1500 });
      const exposition = await app.get(OmsMetrics).expose();
      expect(exposition).toMatch(/^oms_outbox_partitions_owned 4$/m);
      expect(exposition).toMatch(/^oms_outbox_lease_heartbeat_age_seconds \d/m);

      const notifications = app.get(OutboxNotifications);
      await until('LISTEN oms_outbox is up', () => notifications.listening);
      expect(await listeners()).toEqual(['relay-coordination-test-listen']);
      let woken = 0;
      const unsubscribe = notifications.subscribe(() => woken++);
      const messageId = randomUUID();
      await app.get(UnitOfWork).commit(
        { outbox: [{ messageId, topic: 'oms.order.events', key: 'order-1', payload: '{}', headers: { ce_id: messageId } }] },
        new Date(),
      );
      await until('the commit\'s NOTIFY reaches the subscriber', () => woken > 0);
      unsubscribe();
    } finally {
      await app.close();
    }
    expect(app.get(OutboxNotifications).listening).toBe(false);
    await until('the LISTEN connection is gone', async () => (await listeners()).length === 0);
    // The leases' own pool is closed too: its connections leave the server.
    await until('the leases pool is gone', async () => {
      const { rows } = await database.sql.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'relay-coordination-test-leases'`,
      );
      return rows[0]?.n === '0';
    });
    expect(leases?.heartbeatFresh(Date.now() + 60_000)).toBe(false);
  });
});
