import { OmsMetrics } from '@oms/observability';
import { ConsumerLagReporter } from './consumer-lag.reporter';
import { MemoryBroker } from './memory/memory-broker';
import type { MessagingDriver } from './messaging-driver';

describe('consumer lag', () => {
  it('counts messages the group has not acknowledged, per partition, and reports them as oms_kafka_consumer_lag', async () => {
    const broker = new MemoryBroker({ topics: [{ name: 'orders', partitions: 2, retentionMs: 60_000 }] });
    const messages = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ topic: 'orders', key, value: key, headers: {} }));
    await broker.publish(messages);
    const before = await broker.consumerLag('saga', 'orders');
    expect(before.reduce((sum, p) => sum + p.lag, 0)).toBe(5);

    const driver = {
      driver: 'memory',
      subscriptions: () => broker.subscriptions(),
      consumerLag: (g: string, t: string) => broker.consumerLag(g, t),
    } as unknown as MessagingDriver;
    const metrics = new OmsMetrics();
    const reporter = new ConsumerLagReporter(driver, metrics, 60_000);
    let seen = 0;
    const handle = await broker.subscribe({ groupId: 'saga', topics: ['orders'], handle: async () => void seen++ });
    for (let i = 0; i < 100 && seen < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toBe(5);
    expect(broker.subscriptions()).toEqual([{ groupId: 'saga', topic: 'orders' }]);
    await handle.stop();
    await broker.publish([{ topic: 'orders', key: 'f', value: 'f', headers: {} }]);
    // The group stopped consuming here; report while one member is subscribed again.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const again = await broker.subscribe({ groupId: 'saga', topics: ['orders'], handle: () => held });
    await reporter.reportOnce();
    release();
    await again.stop();
    const gauge = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'oms_kafka_consumer_lag');
    const total = gauge?.values.reduce((sum, v) => sum + Number(v.value), 0);
    expect(total).toBe(1);
    expect(gauge?.values.every((v) => v.labels['topic'] === 'orders')).toBe(true);
    await broker.close();
  });
});
