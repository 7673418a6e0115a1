/**
 * A saga that the recovery sweep resumes (its process died after the start commit) continues
 * the trace of the request that started it: the traceparent is stored with the saga, and the
 * resumed drive's spans are children of it, traced into an in-memory exporter.
 */
import { Logger } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '@oms/config';
import { Clock, UuidV7IdGenerator } from '@oms/domain';
import { activeTraceparent, inSpan } from '@oms/observability';
import { EventSourcedOrderStreams } from '@oms/orders';
import { InProcessInventory, InProcessPayment } from '@oms/partners';
import { createMemoryDrivers } from '@oms/storage';
import { SagaRecoverySweep } from './saga-recovery.sweep';
import { SagaRunner } from './saga-runner';

class TestClock extends Clock {
  private ms = Date.parse('2026-03-01T10:00:00.000Z');
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

const config = loadConfig({ OMS_SAGA_SWEEP_INTERVAL: '0', OMS_SAGA_CALL_TIMEOUT: '2s' }, { appName: 'saga-orchestrator-test' });
const exporter = new InMemorySpanExporter();
let sdk: NodeSDK;

beforeAll(() => {
  Logger.overrideLogger(false);
  sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor(exporter)], instrumentations: [], metricReaders: [], logRecordProcessors: [], autoDetectResources: false });
  sdk.start();
});
afterAll(async () => {
  Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
  await sdk.shutdown();
  trace.disable();
  context.disable();
});

it('a saga resumed by the recovery sweep continues the trace of the request that started it', async () => {
  const clock = new TestClock();
  const drivers = createMemoryDrivers({ clock });
  const orders = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, clock, new UuidV7IdGenerator());
  const inventory = new InProcessInventory({ latencyMs: 0, errorRate: 0 });
  const payment = new InProcessPayment({ latencyMs: 0, errorRate: 0, declineAboveMinor: 1_000_000 });
  const runner = new SagaRunner(config, drivers.sagas, drivers.unitOfWork, orders, inventory, payment, clock);
  const sweep = new SagaRecoverySweep(config, drivers.sagas, runner, clock);
  const [orderId, sagaId] = ['order-traced', 'saga-traced'];
  await orders.execute(orderId, [
    { type: 'PlaceOrder', data: { orderId, customerId: 'c-1', currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, unitPriceMinor: 1_000 }] } },
    { type: 'RequestPayment', data: { sagaId } },
  ]);

  // The saga is started inside the request's span; the process dies before any drive (start() only commits).
  const requestTraceparent = await inSpan('POST /v1/orders/{id}/pay', {}, async () => {
    await runner.start('fulfilment', sagaId, orderId);
    return activeTraceparent();
  });
  expect(requestTraceparent).toBeDefined();
  const [, requestTraceId, requestSpanId] = (requestTraceparent as string).split('-');
  expect((await drivers.sagas.get(sagaId))?.traceparent).toBe(requestTraceparent);
  exporter.reset();

  // Later, outside any span (a timer), the sweep claims it and drives it to the end.
  clock.advance(config.saga.callTimeoutMs);
  expect(trace.getActiveSpan()).toBeUndefined();
  expect(await sweep.sweepOnce()).toBe(1);
  await runner.idle();

  expect((await orders.load(orderId)).state.status).toBe('CONFIRMED');
  const spans = exporter.getFinishedSpans();
  const steps = spans.filter((span) => span.name.startsWith('saga '));
  expect(steps.length).toBeGreaterThanOrEqual(2);
  for (const span of spans) expect(span.spanContext().traceId).toBe(requestTraceId);
  const roots = spans.filter((span) => !spans.some((other) => other.spanContext().spanId === span.parentSpanContext?.spanId));
  expect(roots.map((span) => span.parentSpanContext?.spanId)).toEqual(roots.map(() => requestSpanId));
});
