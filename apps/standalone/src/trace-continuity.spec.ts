import { PassThrough } from 'node:stream';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OmsLogger, OpsServer } from '@oms/observability';
import { anOrderBody, lifecycleConfig, rest, waitForStatus, type RunningOms } from './testing/lifecycle.scenarios';
import { createStandalone, startStandalone } from './standalone.app';
import { omsInstrumentations, startTracing } from '@oms/observability/tracing-bootstrap';

// The whole OMS in this process on memory drivers, traced into an in-memory exporter: one
// trace id must run from POST /v1/orders/{id}/pay through the outbox row, the relay's publish,
// the saga's consumer and steps, to the partner calls.

const exporter = new InMemorySpanExporter();
const logs: Record<string, unknown>[] = [];
let sdk: NodeSDK | undefined;
let close: () => Promise<void>;
let oms: RunningOms;
let unpatchHttp: () => void = () => undefined;
let instrumentations: ReturnType<typeof omsInstrumentations> = [];

interface ModuleDefinition {
  readonly name: string;
  patch?(exports: unknown, version?: string): unknown;
  unpatch?(exports: unknown, version?: string): void;
}

/**
 * Jest gives the modules it loads a stand-in for `node:module`, so require-in-the-middle never
 * sees `node:http` load in a test and the http instrumentation stays unapplied. Apply its patch
 * to the real module by hand; a real process (tracing.ts first in main.ts) needs no such step.
 */
async function patchHttpServer(instrumentations: ReturnType<typeof omsInstrumentations>): Promise<() => void> {
  const http = await import('node:http');
  const instrumentation = instrumentations.find((candidate) => candidate.instrumentationName === '@opentelemetry/instrumentation-http');
  const definitions = (instrumentation as unknown as { getModuleDefinitions(): ModuleDefinition[] }).getModuleDefinitions();
  const definition = definitions.find((candidate) => candidate.name === 'http');
  definition?.patch?.(http, process.versions.node);
  return () => definition?.unpatch?.(http, process.versions.node);
}

beforeAll(async () => {
  instrumentations = omsInstrumentations();
  sdk = startTracing('standalone', { spanProcessors: [new SimpleSpanProcessor(exporter)], instrumentations });
  unpatchHttp = await patchHttpServer(instrumentations);
  const destination = new PassThrough();
  let pending = '';
  destination.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const config = lifecycleConfig({ OMS_STORAGE_DRIVER: 'memory', OMS_BROKER_DRIVER: 'memory', LOG_LEVEL: 'debug' });
  const app = await createStandalone(config, { logDestination: destination });
  app.useLogger(app.get(OmsLogger));
  await startStandalone(app, 0, '127.0.0.1');
  close = () => app.close();
  oms = {
    baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`,
    grpcAddress: '',
    opsUrl: `http://127.0.0.1:${app.get(OpsServer).address().port}`,
    sagaEvents: new Map(),
    close,
  };
});

afterAll(async () => {
  await close?.();
  unpatchHttp();
  for (const instrumentation of instrumentations) instrumentation.disable();
  await sdk?.shutdown();
  trace.disable();
  context.disable();
});


/** Polls `probe` until it returns something, for up to 5 s; then returns undefined (the assertion after it fails). */
async function eventually<T>(probe: () => T | undefined): Promise<T | undefined> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, 20));
  }
  return probe();
}

async function finishedSpansOnce(ready: (spans: readonly ReadableSpan[]) => boolean): Promise<readonly ReadableSpan[]> {
  await eventually(() => (ready(exporter.getFinishedSpans()) ? true : undefined));
  return exporter.getFinishedSpans();
}
const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

it('one trace runs from POST /v1/orders/{id}/pay through the relay and the saga to the partner calls', async () => {
  const created = await rest(oms, 'POST', '/v1/orders', anOrderBody(), `trace-create-${process.pid}`);
  expect(created.status).toBe(201);
  const orderId = created.body['order'].id as string;
  exporter.reset();

  const paid = await rest(oms, 'POST', `/v1/orders/${orderId}/pay`, undefined, `trace-pay-${process.pid}`);
  expect(paid.status).toBe(202);
  const done = await waitForStatus(oms, orderId, 'ORDER_STATUS_CONFIRMED', 5_000);
  expect(done['order'].status).toBe('ORDER_STATUS_CONFIRMED');

  // CONFIRMED is visible before the relay has published the last events: wait for those spans.
  const published = (all: readonly ReadableSpan[], type: string) =>
    all.some((span) => span.kind === SpanKind.PRODUCER && span.attributes['cloudevents.event_type'] === type);
  const spans = await finishedSpansOnce((all) => published(all, 'oms.order.v1.OrderConfirmed') && published(all, 'oms.saga.v1.completed'));
  const request = spans.find((span) => span.kind === SpanKind.SERVER && String(span.attributes['url.path'] ?? span.attributes['http.target']).endsWith('/pay'));
  if (!request) throw new Error(`no server span of POST /v1/orders/${orderId}/pay among ${spans.length} spans`);
  const traceId = request.spanContext().traceId;
  const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
  if (!spans.some((span) => span.kind === SpanKind.PRODUCER)) {
    throw new Error('no relay publish span at all: the app must bind RelayModule.forRoot({ tracing: OtelPublishTracing })');
  }

  // The relay publishes the OrderPaymentRequested row as a child of the request's span.
  const publish = inTrace.find(
    (span) => span.kind === SpanKind.PRODUCER && span.attributes['cloudevents.event_type'] === 'oms.order.v1.OrderPaymentRequested',
  );
  expect(publish).toBeDefined();
  expect(parentOf(publish)).toBe(idOf(request));

  // The saga consumes it under the publish span ...
  const consume = inTrace.find((span) => span.kind === SpanKind.CONSUMER && parentOf(span) === idOf(publish));
  expect(consume?.name).toBe('oms.order.events process');
  expect(consume?.attributes['oms.order.id']).toBe(orderId);

  // ... drives its steps under the consumer span, each step calling its partner in a child span.
  for (const step of ['reserve', 'charge']) {
    const [stepSpan] = named(inTrace, `saga fulfilment ${step}`);
    expect(parentOf(stepSpan)).toBe(idOf(consume));
    expect(stepSpan?.attributes['oms.order.id']).toBe(orderId);
    const [partner] = named(inTrace, `partner ${step}`);
    expect(partner?.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(partner)).toBe(idOf(stepSpan));
  }

  // The events the saga wrote (stock reserved, paid, confirmed) went out through the relay in the same trace.
  const sagaEvents = inTrace
    .filter((span) => span.kind === SpanKind.PRODUCER)
    .map((span) => span.attributes['cloudevents.event_type']);
  expect(sagaEvents).toEqual(
    expect.arrayContaining(['oms.order.v1.OrderStockReserved', 'oms.order.v1.OrderPaid', 'oms.order.v1.OrderConfirmed']),
  );
  // So did its lifecycle events on oms.saga.events: started (written by the consumer's commit), completed (the last step's).
  const lifecycle = inTrace.filter((span) => span.kind === SpanKind.PRODUCER && String(span.attributes['cloudevents.event_type']).startsWith('oms.saga.'));
  expect(lifecycle.map((span) => span.attributes['cloudevents.event_type'])).toEqual(['oms.saga.v1.started', 'oms.saga.v1.completed']);

  // One log line per saga step, in the step's span, naming the order and the saga (at debug: a step
  // that went through is counted by metrics, so info stays free of per-order lines).
  const [reserveSpan] = named(inTrace, 'saga fulfilment reserve');
  const stepLine = await eventually(() => logs.find((line) => line['step'] === 'reserve' && line['order_id'] === orderId && line['result'] !== undefined));
  expect(stepLine).toMatchObject({
    trace_id: traceId,
    span_id: idOf(reserveSpan),
    order_id: orderId,
    saga_id: reserveSpan?.attributes['oms.saga.id'],
    result: 'succeeded',
    level: 'debug',
  });
  expect(typeof stepLine?.['saga_id']).toBe('string');
});
