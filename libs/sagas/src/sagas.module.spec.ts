/**
 * SagasModule composed as an app composes it (config, memory storage, memory broker, the order
 * write path, in-process partners), served by Nest as a microservice on SagaEventsTransport:
 * the transport joins the broker when it starts, the sweep timer retries, and close() stops
 * consuming after the steps in flight finished.
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, loadConfig } from '@oms/config';
import type { INestMicroservice } from '@nestjs/common';
import { DEAD_LETTER_TOPIC } from '@oms/contracts';
import { InventoryPort, MessagePublisher, OrderStreams, Outbox, PaymentPort, SagaStore, type OrderStatus, type ReceivedMessage } from '@oms/domain';
import { MemoryBroker, MessagingModule } from '@oms/messaging';
import { OrderWriteModule } from '@oms/orders';
import { StorageModule } from '@oms/storage';
import { GrpcInventoryClient, GrpcPaymentClient, InProcessInventory, InProcessPayment, PartnersModule } from '@oms/partners';
import { NoopSagaMetrics, SagaMetrics } from './saga-metrics';
import { FirstCallNotRecordedError, SagaRunner } from './saga-runner';
import { SagasModule } from './sagas.module';
import { SagaEventsTransport } from './edge/saga-events.transport';
import { DLQ_ERROR_HEADER } from './saga-dead-letters';

const config = loadConfig(
  {
    OMS_SAGA_SWEEP_INTERVAL: '20ms',
    OMS_SAGA_RETRY_BASE: '10ms',
    OMS_SAGA_RETRY_MAX: '40ms',
    OMS_SAGA_CALL_TIMEOUT: '1s',
  },
  { appName: 'sagas-module-test' },
);

class CountingMetrics extends NoopSagaMetrics {
  startedCount = 0;
  override started = (): void => {
    this.startedCount++;
  };
}

@Module({
  imports: [
    ConfigModule.forRoot({ appName: 'sagas-module-test', config }),
    StorageModule.forRoot(),
    MessagingModule.forRoot(),
    OrderWriteModule.forRoot(),
    PartnersModule.forRoot(),
    SagasModule.forRoot(),
  ],
})
class TestAppModule {}

/** The app as saga-orchestrator runs it: a Nest microservice whose transport is SagaEventsTransport. */
async function startMicroservice(module: new () => object): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(module, {
    inject: [SagaEventsTransport],
    useFactory: (strategy: SagaEventsTransport) => ({ strategy }),
    logger: false,
  });
  await app.listen();
  return app;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('SagasModule', () => {
  it('runs orders placed through the order write path to their final states over the broker', async () => {
    const app = await startMicroservice(TestAppModule);
    try {
      const orders = app.get(OrderStreams);
      const outbox = app.get(Outbox);
      const publisher = app.get(MessagePublisher);
      const relay = async (): Promise<void> => {
        const rows = await outbox.fetchPending(Array.from({ length: config.outbox.partitions }, (_, i) => i), 500);
        await publisher.publish(rows.map((row) => ({ topic: row.topic, key: row.key, value: row.payload, headers: row.headers })));
        await outbox.markSent(rows.map((row) => row.id));
      };
      const place = async (orderId: string, sku: string): Promise<void> => {
        await orders.execute(orderId, [
          { type: 'PlaceOrder', data: { orderId, customerId: 'c-1', currency: 'EUR', items: [{ sku, qty: 1, unitPriceMinor: 990 }] } },
          { type: 'RequestPayment', data: { sagaId: `saga-${orderId}` } },
        ]);
      };
      const statusOf = async (orderId: string): Promise<OrderStatus | undefined> => (await orders.load(orderId))?.state.status;

      await place('m-1', 'SKU-1');
      await place('m-2', 'OOS-1');
      await place('m-3', 'FLAKY-1'); // its retry comes from the sweep timer
      await eventually(async () => {
        await relay();
        return (await statusOf('m-1')) === 'CONFIRMED' && (await statusOf('m-2')) === 'CANCELED' && (await statusOf('m-3')) === 'CONFIRMED';
      }, 'every order to reach its final state');

      expect(app.get(InProcessInventory).effects().reservations).toBe(2);
      expect(app.get(InProcessPayment).effects().charges).toBe(2);
    } finally {
      await app.close();
    }
    expect(app.get(SagaRunner).isDriving('saga-m-1')).toBe(false);
  });

  it('hands @EventPattern handler errors to the consumer as thrown, dead-letters malformed triggers and ignores other events', async () => {
    const subscribe = jest.spyOn(MemoryBroker.prototype, 'subscribe');
    const app = await startMicroservice(TestAppModule);
    try {
      const transport = app.get(SagaEventsTransport);
      const message = (type: string, data: object): ReceivedMessage => ({
        topic: config.broker.kafka.ordersTopic,
        key: 'order-e',
        value: JSON.stringify({
          eventId: `event-${type}-${JSON.stringify(data).length}`,
          type,
          schemaVersion: 1,
          orderId: 'order-e',
          streamId: 'order-order-e',
          version: 2,
          position: 2,
          occurredAt: '2026-03-01T10:00:00.000Z',
          data,
        }),
        headers: {},
        partition: 0,
        offset: '5',
      });
      jest.spyOn(app.get(SagaStore), 'getOrReadStream').mockRejectedValueOnce(new Error('saga store unreachable'));

      // Not acknowledged: the consumer sees the very error, so the broker redelivers the message.
      await expect(transport.handleMessage(message('OrderPaymentRequested', { orderId: 'order-e', sagaId: 'saga-e' }))).rejects.toThrow('saga store unreachable');
      await expect(transport.handleMessage(message('OrderRefundRequested', { orderId: 'order-e' }))).resolves.toBeUndefined();
      await expect(transport.handleMessage(message('OrderPlaced', { orderId: 'order-e' }))).resolves.toBeUndefined();
      // A type its ce_type header declares and no handler takes: acknowledged unread, so never dead-lettered.
      const declared = { ...message('OrderPlaced', {}), value: '{not json', headers: { ce_type: 'oms.order.v1.OrderPlaced' } };
      await expect(transport.handleMessage(declared)).resolves.toBeUndefined();

      // A start whose partner call happened but whose saga could not be written is retried without counting.
      const policy = subscribe.mock.calls[0]?.[0].onFailure;
      expect(policy?.maxRetries).toBe(config.broker.kafka.consumer.maxRetries);
      expect(policy?.isUnavailable(new FirstCallNotRecordedError('saga-e', new Error('disk full')))).toBe(true);
      expect(policy?.isUnavailable(new Error('disk full'))).toBe(false);

      const dead = (app.get(MessagePublisher) as MemoryBroker).messages(DEAD_LETTER_TOPIC);
      expect(dead.map((m) => m.headers[DLQ_ERROR_HEADER])).toEqual([expect.stringMatching(/OrderRefundRequested event .* has no data.sagaId/)]);
    } finally {
      subscribe.mockRestore();
      await app.close();
    }
  });

  it('takes a SagaMetrics binding', async () => {
    const metrics = new CountingMetrics();
    @Module({
      imports: [
        ConfigModule.forRoot({ appName: 'sagas-module-test', config }),
        StorageModule.forRoot(),
        MessagingModule.forRoot(),
        OrderWriteModule.forRoot(),
        PartnersModule.forRoot(),
        SagasModule.forRoot({ metrics: { provide: SagaMetrics, useValue: metrics } }),
      ],
    })
    class MetricsAppModule {}
    const app = await NestFactory.createApplicationContext(MetricsAppModule, { logger: false });
    await app.init();
    try {
      await app.get(SagaRunner).start('fulfilment', 'saga-x', 'order-x');
      expect(metrics.startedCount).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('chooses the partner driver from config: grpc gives gRPC clients and no in-process partners', async () => {
    const grpc = loadConfig({ OMS_PARTNER_DRIVER: 'grpc' }, { appName: 'sagas-module-test' });
    @Module({ imports: [ConfigModule.forRoot({ appName: 'sagas-module-test', config: grpc }), PartnersModule.forRoot()] })
    class GrpcAppModule {}
    const app = await NestFactory.createApplicationContext(GrpcAppModule, { logger: false });
    try {
      expect(app.get(InventoryPort)).toBeInstanceOf(GrpcInventoryClient);
      expect(app.get(PaymentPort)).toBeInstanceOf(GrpcPaymentClient);
      expect(app.get(InProcessInventory)).toBeNull();
    } finally {
      await app.close();
    }
  });
});
