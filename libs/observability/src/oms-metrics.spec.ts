import { OmsMetrics, omsMetricNames } from './oms-metrics';
import { REQUIRED_METRICS } from './testing';

/** The help line of a metric in the Prometheus text exposition. */
function helpOf(text: string, name: string): string | undefined {
  return new RegExp(`^# HELP ${name} (.+)$`, 'm').exec(text)?.[1];
}

describe('OmsMetrics', () => {
  it('exposes every required metric with help text that says what it measures', async () => {
    const text = await new OmsMetrics().expose();

    for (const name of REQUIRED_METRICS) {
      const help = helpOf(text, name);
      expect({ name, help }).toEqual({ name, help: expect.stringMatching(/^\S.{15,}/) });
    }
  });

  it('gives every oms_* metric help text', async () => {
    const text = await new OmsMetrics().expose();
    const names = [...text.matchAll(/^# TYPE (oms_\w+) /gm)].map((match) => match[1] as string);

    expect(names.length).toBeGreaterThanOrEqual(REQUIRED_METRICS.length);
    for (const name of names) expect(helpOf(text, name)).toBeDefined();
  });

  it('declares the documented types and labels', async () => {
    const metrics = new OmsMetrics();
    metrics.sagaStepDuration.observe({ step: 'reserve' }, 0.2);
    metrics.outboxPublishAttempts.inc({ result: 'success' });
    metrics.grpcRequests.inc({ method: '/oms.v1.OrderService/CreateOrder', code: 'OK' });
    metrics.httpRequests.inc({ method: 'POST', route: '/v1/orders', status: '201' });
    metrics.dbPoolConnections.set({ state: 'idle' }, 3);
    metrics.kafkaConsumerLag.set({ topic: 'oms.order.events', partition: '0' }, 7);

    const text = await metrics.expose();

    expect(text).toContain('# TYPE oms_saga_duration_seconds histogram');
    expect(text).toContain('# TYPE oms_active_sagas gauge');
    expect(text).toContain('# TYPE oms_saga_started_total counter');
    expect(text).toContain('oms_saga_step_duration_seconds_count{step="reserve"} 1');
    expect(text).toContain('oms_outbox_publish_attempts_total{result="success"} 1');
    expect(text).toContain('oms_grpc_requests_total{method="/oms.v1.OrderService/CreateOrder",code="OK"} 1');
    expect(text).toContain('oms_http_requests_total{method="POST",route="/v1/orders",status="201"} 1');
    expect(text).toContain('oms_db_pool_connections{state="idle"} 3');
    expect(text).toContain('oms_kafka_consumer_lag{topic="oms.order.events",partition="0"} 7');
  });

  it('starts result-labelled counters at zero for both results', async () => {
    const text = await new OmsMetrics().expose();

    expect(text).toContain('oms_outbox_publish_attempts_total{result="failure"} 0');
    expect(text).toContain('oms_idempotency_cleanup_runs_total{result="success"} 0');
  });

  it('keeps a registry per instance, so several apps can share a process', async () => {
    const first = new OmsMetrics();
    const second = new OmsMetrics();
    first.sagaStarted.inc(2);

    expect(await first.expose()).toContain('oms_saga_started_total 2');
    expect(await second.expose()).toContain('oms_saga_started_total 0');
    expect(await first.expose()).toContain('process_resident_memory_bytes');
  });
});

describe('omsMetricNames', () => {
  it('names every required metric and only oms_* metrics', () => {
    const names = omsMetricNames();
    expect(names).toEqual(expect.arrayContaining(REQUIRED_METRICS));
    expect(names.every((name) => name.startsWith('oms_'))).toBe(true);
  });
});
