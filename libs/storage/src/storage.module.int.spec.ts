import 'reflect-metadata';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OMS_CONFIG } from '@oms/config';
import { EventStore, UnitOfWork } from '@oms/domain';
import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { anEvent } from './testing';
import type { StorageDrivers } from './storage-drivers';
import { STORAGE_DRIVERS, StorageModule } from './storage.module';

describe('StorageModule on PostgreSQL', () => {
  let database: TestDatabase;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('storage_module');
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('provides the postgres drivers named by config, shared by every port, and closes them on shutdown', async () => {
    const config = postgresTestConfig(database.dsn, { OMS_POSTGRES_AUTO_MIGRATE: 'true' });

    @Global()
    @Module({ providers: [{ provide: OMS_CONFIG, useValue: config }], exports: [OMS_CONFIG] })
    class ConfigModule {}

    @Module({ imports: [ConfigModule, StorageModule.forRoot()] })
    class AppModule {}

    app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const drivers = app.get<StorageDrivers>(STORAGE_DRIVERS);
    expect(drivers.driver).toBe('postgres');
    await expect(drivers.ping()).resolves.toBeUndefined();

    const streamId = `order-${anEvent().eventId}`;
    await app.get(UnitOfWork).commit({ append: { streamId, expectedVersion: 0, events: [anEvent()] } }, new Date());
    await expect(app.get(EventStore).readStream(streamId)).resolves.toHaveLength(1);

    await app.close();
    app = undefined;
    await expect(drivers.ping()).rejects.toThrow();
  });
});
