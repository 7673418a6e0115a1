import 'reflect-metadata';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OMS_CONFIG } from '@oms/config';
import {
  EventStore,
  IdempotencyStore,
  Inbox,
  OrderProjection,
  Outbox,
  SagaStore,
  UnitOfWork,
  outboxPartition,
} from '@oms/domain';
import { testConfig } from '@oms/testing';
import type { OpsServer } from '@oms/observability';
import { createMemoryDrivers } from './memory';
import type { StorageDrivers } from './storage-drivers';
import { STORAGE_DRIVERS, StorageModule } from './storage.module';

const config = testConfig({ OMS_STORAGE_DRIVER: 'memory', OMS_OUTBOX_PARTITIONS: '4' });

@Global()
@Module({ providers: [{ provide: OMS_CONFIG, useValue: config }], exports: [OMS_CONFIG] })
class TestConfigModule {}

@Module({ imports: [TestConfigModule, StorageModule.forRoot()] })
class AppModule {}

describe('StorageModule', () => {
  let app: INestApplicationContext;

  beforeEach(async () => {
    app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  });

  afterEach(async () => {
    await app.close();
  });

  it('provides every port from the one driver set chosen by config', () => {
    const drivers = app.get<StorageDrivers>(STORAGE_DRIVERS);
    expect(drivers.driver).toBe('memory');
    expect(app.get(EventStore)).toBe(drivers.eventStore);
    expect(app.get(Outbox)).toBe(drivers.outbox);
    expect(app.get(OrderProjection)).toBe(drivers.projection);
    expect(app.get(IdempotencyStore)).toBe(drivers.idempotency);
    expect(app.get(SagaStore)).toBe(drivers.sagas);
    expect(app.get(Inbox)).toBe(drivers.inbox);
    expect(app.get(UnitOfWork)).toBe(drivers.unitOfWork);
  });

  it('shares one database between the ports and honours the configured outbox partitions', async () => {
    const key = 'order-42';
    await app.get(UnitOfWork).commit({ outbox: [{ messageId: 'm-1', topic: 't', key, payload: '{}', headers: {} }] }, new Date());
    const pending = await app.get(Outbox).fetchPending([0, 1, 2, 3], 10);
    expect(pending.map((row) => [row.messageId, row.partition])).toEqual([['m-1', outboxPartition(key, 4)]]);
  });

  it('closes the drivers when the application shuts down', async () => {
    const drivers = app.get<StorageDrivers>(STORAGE_DRIVERS);
    await expect(drivers.ping()).resolves.toBeUndefined();
    await app.close();
    await expect(drivers.ping()).rejects.toThrow(/closed/);
    app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  });
});

describe('StorageModule with a database out of reach at start-up', () => {
  it('opens the probes, then waits for the database before the start goes on', async () => {
    const steps: string[] = [];
    const drivers: StorageDrivers = {
      ...createMemoryDrivers(),
      unreachableAtStart: 'cannot connect to PostgreSQL at db:5432/oms (OMS_POSTGRES_DSN): connect ECONNREFUSED',
      untilReachable: jest.fn(async (intervalMs: number, stopped: () => boolean) => {
        steps.push(`waited every ${intervalMs} ms, stopped ${stopped()}`);
      }),
    };
    const ops = { listen: jest.fn(async () => void steps.push('probes answer')) } as unknown as OpsServer;
    await new StorageModule(drivers, undefined, undefined, ops).onApplicationBootstrap();
    expect(steps).toEqual(['probes answer', 'waited every 1000 ms, stopped false']);
  });

  it('does not wait when the database answered at start-up', async () => {
    const untilReachable = jest.fn(async () => undefined);
    const ops = { listen: jest.fn(async () => undefined) } as unknown as OpsServer;
    await new StorageModule({ ...createMemoryDrivers(), untilReachable }, undefined, undefined, ops).onApplicationBootstrap();
    expect(untilReachable).not.toHaveBeenCalled();
    expect(ops.listen).not.toHaveBeenCalled();
  });
});
