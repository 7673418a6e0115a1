import { loadConfig } from '@oms/config';
import { MessagePublisher, OrderStreams, Outbox } from '@oms/domain';
import { HealthRegistry, OmsMetrics } from '@oms/observability';
import { createSagaOrchestrator } from './saga-orchestrator.app';
import { BROKER_CHECK } from '@oms/messaging';
import { DATABASE_CHECK } from '@oms/storage';
import { SagaCompensationReporter } from './saga-compensation.reporter';

const config = loadConfig(
  { OMS_METRICS_ADDR: '127.0.0.1:0', OMS_SAGA_SWEEP_INTERVAL: '50ms', LOG_LEVEL: 'silent' },
  { appName: 'saga-orchestrator' },
);

describe('saga-orchestrator app', () => {
  it('boots on the memory drivers, confirms a paid order, counts it in oms_saga_* and registers readiness checks', async () => {
    const app = await createSagaOrchestrator(config, { logger: false, exit: () => undefined });
    try {
      const orders = app.get(OrderStreams);
      await orders.execute('app-1', [
        { type: 'PlaceOrder', data: { orderId: 'app-1', customerId: 'c-1', currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, unitPriceMinor: 500 }] } },
        { type: 'RequestPayment', data: { sagaId: 'saga-app-1' } },
      ]);
      // This process runs no relay: move the outbox rows to the broker as outbox-relay would.
      const outbox = app.get(Outbox);
      const rows = await outbox.fetchPending(Array.from({ length: config.outbox.partitions }, (_, i) => i), 100);
      await app.get(MessagePublisher).publish(rows.map((r) => ({ topic: r.topic, key: r.key, value: r.payload, headers: r.headers })));

      for (let i = 0; i < 250 && (await orders.load('app-1'))?.state.status !== 'CONFIRMED'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await orders.load('app-1'))?.state.status).toBe('CONFIRMED');

      const metrics = await app.get(OmsMetrics).registry.getSingleMetricAsString('oms_saga_completed_total');
      expect(metrics).toMatch(/^oms_saga_completed_total 1$/m);
      expect(app.get(HealthRegistry).list().map((c) => c.name)).toEqual(expect.arrayContaining([DATABASE_CHECK, BROKER_CHECK]));
      // The compensations-retrying gauges are sampled in this app (nothing waits on a release here).
      await app.get(SagaCompensationReporter).report();
      expect(await app.get(OmsMetrics).expose()).toMatch(/^oms_saga_compensation_retrying 0$/m);
    } finally {
      await app.close();
    }
  });
});
