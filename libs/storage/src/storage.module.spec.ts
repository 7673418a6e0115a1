import 'reflect-metadata';
import { Global, Logger, Module, type INestApplicationContext } from '@nestjs/common';
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
import type { SchemaVersion } from './schema-version';
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

/** Records the module's warnings in `steps`, in order with the other steps. */
function logsInto(steps: string[]): void {
  jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void steps.push(`log: ${String(message)}`));
}

afterEach(() => {
  jest.useRealTimers(); // also after a test that timed out under fake timers
  jest.restoreAllMocks();
});

describe('StorageModule with a database out of reach at start-up', () => {
  it('opens the probes, says it waits, then waits for the database before the start goes on', async () => {
    const steps: string[] = [];
    logsInto(steps);
    const drivers: StorageDrivers = {
      ...createMemoryDrivers(),
      unreachableAtStart: 'cannot connect to PostgreSQL at db:5432/oms (OMS_POSTGRES_DSN): connect ECONNREFUSED',
      untilReachable: jest.fn(async (intervalMs: number, stopped: () => boolean) => {
        steps.push(`waited every ${intervalMs} ms, stopped ${stopped()}`);
      }),
    };
    const ops = { listen: jest.fn(async () => void steps.push('probes answer')) } as unknown as OpsServer;
    await new StorageModule(drivers, undefined, undefined, ops).onApplicationBootstrap();
    expect(steps.slice(0, 3)).toEqual([
      'probes answer', // a probe sent on reading the next line is answered
      'log: cannot connect to PostgreSQL at db:5432/oms (OMS_POSTGRES_DSN): connect ECONNREFUSED; not ready, waiting for the database',
      'waited every 1000 ms, stopped false',
    ]);
  });

  it('does not wait when the database answered at start-up', async () => {
    const untilReachable = jest.fn(async () => undefined);
    const ops = { listen: jest.fn(async () => undefined) } as unknown as OpsServer;
    await new StorageModule({ ...createMemoryDrivers(), untilReachable }, undefined, undefined, ops).onApplicationBootstrap();
    expect(untilReachable).not.toHaveBeenCalled();
    expect(ops.listen).not.toHaveBeenCalled();
  });
});

describe('StorageModule on a schema this build does not expect', () => {
  const drivers = (versions: SchemaVersion[]): StorageDrivers => {
    const read = jest.fn(async () => (versions.length > 1 ? (versions.shift() as SchemaVersion) : (versions[0] as SchemaVersion)));
    return { ...createMemoryDrivers(), schemaVersion: read };
  };

  it('opens the probes before it says the schema is behind, and starts once migrated', async () => {
    const steps: string[] = [];
    logsInto(steps);
    const behind: SchemaVersion = { state: 'behind', missing: ['EventStoreAndOutbox1795910400001'], unknown: [] };
    const ops = { listen: jest.fn(async () => void steps.push('probes answer')) } as unknown as OpsServer;
    const module = new StorageModule(drivers([behind, behind, behind, behind, { state: 'current', applied: 1 }]), undefined, undefined, ops);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const started = module.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(10_000);
    await started;
    expect(steps[0]).toBe('probes answer');
    expect(steps[1]).toMatch(/^log: database schema is behind this build: 1 migration\(s\) not applied \(EventStoreAndOutbox1795910400001/);
    expect(steps).toHaveLength(2); // said once, however often it looked
  });

  it('says at start, with no probe, that it serves on a newer schema marked backward compatible', async () => {
    const steps: string[] = [];
    logsInto(steps);
    const ahead: SchemaVersion = { state: 'ahead', unknown: [{ name: 'FromANewerRelease1999999999999', backwardCompatible: true }] };
    const ops = { listen: jest.fn(async () => void steps.push('probes answer')) } as unknown as OpsServer;
    await new StorageModule(drivers([ahead]), undefined, undefined, ops).onApplicationBootstrap();
    expect(steps).toEqual([expect.stringMatching(/^log: .*FromANewerRelease1999999999999.*all marked backward compatible: serving/)]);
  });
});
