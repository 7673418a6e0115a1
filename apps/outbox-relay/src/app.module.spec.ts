import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@oms/config';
import { MessagePublisher, UnitOfWork } from '@oms/domain';
import type { MemoryBroker } from '@oms/messaging';
import { HealthRegistry, OmsMetrics, OpsServer } from '@oms/observability';
import { OutboxRelay } from '@oms/relay';
import { AppModule } from './app.module';

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('outbox-relay app', () => {
  it('publishes committed rows, reports oms_outbox_* metrics and readiness, and stops on close', async () => {
    const config = loadConfig(
      { OMS_METRICS_ADDR: '127.0.0.1:0', OMS_OUTBOX_POLL_INTERVAL: '10ms', OMS_OUTBOX_MAX_PENDING: '5', LOG_LEVEL: 'silent' },
      { appName: 'outbox-relay' },
    );
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, logDestination: new PassThrough() }), {
      logger: false,
    });
    await app.init();
    try {
      const relay = app.get(OutboxRelay);
      expect(relay.isRunning).toBe(true);
      const broker = app.get(MessagePublisher) as unknown as MemoryBroker;
      const ids = [randomUUID(), randomUUID()];
      await app.get(UnitOfWork).commit(
        {
          outbox: ids.map((messageId) => ({
            messageId,
            topic: 'oms.order.events',
            key: 'order-1',
            payload: JSON.stringify({ messageId }),
            headers: { ce_id: messageId },
          })),
        },
        new Date(),
      );
      await until('both rows are on the topic', () => broker.messages('oms.order.events').length === 2);
      expect(broker.messages('oms.order.events').map((m) => m.headers['ce_id'])).toEqual(ids);

      const exposition = await app.get(OmsMetrics).expose();
      expect(exposition).toMatch(/^oms_outbox_events_total 2$/m);
      expect(exposition).toMatch(/^oms_outbox_publish_attempts_total\{result="sent"\} [1-9]/m);

      const { port } = app.get(OpsServer).address();
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      const body = JSON.stringify(await health.json());
      for (const check of ['database', 'broker', 'outbox_backlog']) expect(body).toContain(check);
      // Each readiness check is registered once, by the module that owns it (a second would throw).
      expect(app.get(HealthRegistry).list().map((check) => check.name).sort()).toEqual(['broker', 'database', 'outbox_backlog']);
    } finally {
      await app.close();
    }
    expect(app.get(OutboxRelay).isRunning).toBe(false);
  });
});
