import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { ConfigModule, loadConfig } from '@oms/config';
import { MessagePublisher, UnitOfWork } from '@oms/domain';
import { MemoryBroker, MessagingModule } from '@oms/messaging';
import { StorageModule } from '@oms/storage';
import { Global, Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay';
import { OutboxSignal } from './outbox-signal';
import { RELAY_OPTIONS, type RelayOptions } from './relay.options';
import { RelayModule } from './relay.module';
import { AllPartitionsAssignment, PartitionAssignment } from './partition-assignment';

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('RelayModule', () => {
  it('relays committed outbox rows to the broker from bootstrap until shutdown', async () => {
    const config = loadConfig(
      { OMS_OUTBOX_POLL_INTERVAL: '1h', OMS_OUTBOX_BATCH_SIZE: '50', OMS_OUTBOX_PARTITIONS: '8', OMS_KAFKA_DLQ_TOPIC: 'my.dlq' },
      { appName: 'outbox-relay' },
    );
    @Module({
      imports: [ConfigModule.forRoot({ appName: 'outbox-relay', config }), StorageModule.forRoot(), MessagingModule.forRoot(), RelayModule.forRoot()],
    })
    class TestAppModule {}

    const app = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
    await app.init();
    const options = app.get<RelayOptions>(RELAY_OPTIONS);
    expect(options).toMatchObject({ partitions: 8, batchSize: 50, pollIntervalMs: 3_600_000, deadLetterTopic: 'my.dlq' });
    const relay = app.get(OutboxRelay);
    expect(relay.isRunning).toBe(true);

    const broker = app.get(MessagePublisher) as unknown as MemoryBroker;
    const messageId = randomUUID();
    await app.get(UnitOfWork).commit(
      { outbox: [{ messageId, topic: 'oms.order.events', key: 'order-1', payload: '{}', headers: { ce_id: messageId } }] },
      new Date(),
    );
    // The poll interval is an hour: only the signal can make this prompt.
    app.get(OutboxSignal).notify();
    await until('the row reaches the broker', () => broker.messages('oms.order.events').length === 1);
    expect(broker.messages('oms.order.events')[0].headers['ce_id']).toBe(messageId);

    await app.close();
    expect(relay.isRunning).toBe(false);
  });

  it('binds a PartitionAssignment built by a factory', async () => {
    const config = loadConfig({ OMS_OUTBOX_POLL_INTERVAL: '5ms', OMS_OUTBOX_PARTITIONS: '4' }, { appName: 'outbox-relay' });
    const asked: number[] = [];
    class OnlyPartitionZero extends PartitionAssignment {
      async owned(): Promise<readonly number[]> {
        asked.push(0);
        return [0];
      }
      async release(): Promise<void> {
        // nothing held
      }
    }
    @Module({
      imports: [
        ConfigModule.forRoot({ appName: 'outbox-relay', config }),
        StorageModule.forRoot(),
        MessagingModule.forRoot(),
        RelayModule.forRoot({
          assignment: {
            useFactory: (options: RelayOptions) => {
              expect(options.partitions).toBe(4); // the factory gets what it injects
              return new OnlyPartitionZero();
            },
            inject: [RELAY_OPTIONS],
          },
        }),
      ],
    })
    class FactoryAppModule {}

    const app = await NestFactory.createApplicationContext(FactoryAppModule, { logger: false });
    await app.init();
    try {
      expect(app.get(PartitionAssignment)).toBeInstanceOf(OnlyPartitionZero);
      await until('the relay asks the assignment', () => asked.length > 0);
    } finally {
      await app.close();
    }
  });

  it('takes an assignment another module provides (null: every partition) and wakes on that module\'s wake-ups', async () => {
    const config = loadConfig({ OMS_OUTBOX_POLL_INTERVAL: '1h', OMS_OUTBOX_PARTITIONS: '4' }, { appName: 'outbox-relay' });
    const NO_LEASES = Symbol('no leases');
    const wakeUps = new OutboxSignal(); // stands for a LISTEN connection of storage

    @Global()
    @Module({
      providers: [
        { provide: NO_LEASES, useValue: null },
        { provide: 'DATABASE_WAKE_UPS', useValue: wakeUps },
      ],
      exports: [NO_LEASES, 'DATABASE_WAKE_UPS'],
    })
    class CoordinationModule {}

    @Module({
      imports: [
        ConfigModule.forRoot({ appName: 'outbox-relay', config }),
        StorageModule.forRoot(),
        MessagingModule.forRoot(),
        CoordinationModule,
        RelayModule.forRoot({ assignment: { useExisting: NO_LEASES }, wakeUps: 'DATABASE_WAKE_UPS' }),
      ],
    })
    class ExistingAppModule {}

    const app = await NestFactory.createApplicationContext(ExistingAppModule, { logger: false });
    await app.init();
    try {
      const assignment = app.get(PartitionAssignment);
      expect(assignment).toBeInstanceOf(AllPartitionsAssignment);
      await expect(assignment.owned()).resolves.toEqual([0, 1, 2, 3]);

      const broker = app.get(MessagePublisher) as unknown as MemoryBroker;
      await new Promise((resolve) => setTimeout(resolve, 20)); // the relay's first round is done: it now sleeps for an hour
      const messageId = randomUUID();
      await app.get(UnitOfWork).commit(
        { outbox: [{ messageId, topic: 'oms.order.events', key: 'order-1', payload: '{}', headers: { ce_id: messageId } }] },
        new Date(),
      );
      wakeUps.notify();
      await until('the row reaches the broker', () => broker.messages('oms.order.events').length === 1);
    } finally {
      await app.close();
    }
  });
});
