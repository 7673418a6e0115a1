import 'reflect-metadata';
import { PassThrough } from 'node:stream';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthRegistry, OmsMetrics, PlatformModule } from '@oms/observability';
import { testConfig } from '@oms/testing';
import { StorageModule } from '../storage.module';
import { OutboxNotifications } from './outbox-notifications.listener';
import { RelayCoordinationModule } from './relay-coordination.module';
import { RELAY_LEASES } from './relay-leases.provider';

describe('RelayCoordinationModule on memory storage', () => {
  it('provides no leases, listens to nothing and registers neither relay_lease nor lease gauges', async () => {
    const config = testConfig({ OMS_STORAGE_DRIVER: 'memory', OMS_METRICS_ADDR: '127.0.0.1:0', LOG_LEVEL: 'silent' });
    @Module({
      imports: [
        PlatformModule.forRoot({ appName: 'test', config, logDestination: new PassThrough().resume(), exit: () => undefined }),
        StorageModule.forRoot(),
        RelayCoordinationModule,
      ],
    })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
    try {
      expect(app.get(RELAY_LEASES)).toBeNull();
      const notifications = app.get(OutboxNotifications);
      expect(notifications.listening).toBe(false);
      expect(typeof notifications.subscribe(() => undefined)).toBe('function');
      expect(app.get(HealthRegistry).list().map((check) => check.name)).toEqual(['database']);
      expect(await app.get(OmsMetrics).expose()).not.toMatch(/oms_outbox_partitions_owned|oms_outbox_lease_heartbeat_age_seconds/);
    } finally {
      await app.close();
    }
  });
});
