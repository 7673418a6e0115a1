import { OmsMetrics, omsMetricNames } from './oms-metrics';
import { REQUIRED_METRICS } from './testing';

/** The help line of a metric in the Prometheus text exposition. */
function helpOf(text: string, name: string): string | undefined {
  return new RegExp(`^# HELP ${name} (.+)$`, 'm').exec(text)?.[1];
}

/** Every sample of `name` in the exposition: its label set (as text) -> value. */
function samplesOf(text: string, name: string): Record<string, number> {
  const samples: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
    samples[match[1] ?? ''] = Number(match[2]);
  }
  return samples;
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
    metrics.outboxPublishAttempts.inc({ result: 'sent' });
    metrics.grpcRequests.inc({ method: '/oms.v1.OrderService/CreateOrder', code: 'OK' });
    metrics.httpRequests.inc({ method: 'POST', route: '/v1/orders', status: '201' });
    metrics.dbPoolConnections.set({ state: 'idle' }, 3);
    metrics.kafkaConsumerLag.set({ topic: 'oms.order.events', partition: '0' }, 7);

    const text = await metrics.expose();

    expect(text).toContain('# TYPE oms_saga_duration_seconds histogram');
    expect(text).toContain('# TYPE oms_active_sagas gauge');
    expect(text).toContain('# TYPE oms_saga_started_total counter');
    expect(text).toContain('oms_saga_step_duration_seconds_count{step="reserve"} 1');
    expect(text).toContain('oms_outbox_publish_attempts_total{result="sent"} 1');
    expect(text).toContain('oms_grpc_requests_total{method="/oms.v1.OrderService/CreateOrder",code="OK"} 1');
    expect(text).toContain('oms_http_requests_total{method="POST",route="/v1/orders",status="201"} 1');
    expect(text).toContain('oms_db_pool_connections{state="idle"} 3');
    expect(text).toContain('oms_kafka_consumer_lag{topic="oms.order.events",partition="0"} 7');
  });

  it('serves exactly the Go OMS result label values, each at zero from the start', async () => {
    const text = await new OmsMetrics().expose();

    // The values the Go OMS's alert rules select on; no other value may appear.
    expect(samplesOf(text, 'oms_outbox_publish_attempts_total')).toEqual({
      '{result="sent"}': 0,
      '{result="failed"}': 0,
      '{result="dlq_failed"}': 0,
      '{result="retry_error"}': 0,
    });
    expect(samplesOf(text, 'oms_idempotency_cleanup_runs_total')).toEqual({
      '{result="ok"}': 0,
      '{result="error"}': 0,
    });
  });

  it('reports the build it is given as oms_build_info = 1', async () => {
    const text = await new OmsMetrics({ version: '9.8.7', commit: 'abc123' }).expose();

    expect(samplesOf(text, 'oms_build_info')).toEqual({ '{version="9.8.7",commit="abc123"}': 1 });
    expect(text).toContain('# TYPE oms_build_info gauge');
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
