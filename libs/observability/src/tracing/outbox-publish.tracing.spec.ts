import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OtelPublishTracing } from './outbox-publish.tracing';

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';
const row = (messageId: string, traceparent?: string) => ({
  messageId,
  topic: 'oms.order.events',
  key: `order-${messageId}`,
  headers: { ce_id: messageId, ce_type: 'oms.order.v1.OrderPaymentRequested', ...(traceparent ? { traceparent } : {}) },
});

describe('OtelPublishTracing without the SDK', () => {
  it('passes the row headers (and its traceparent) on unchanged', () => {
    const published = new OtelPublishTracing().publishing(row('m-1', `00-${TRACE_A}-b7ad6b7169203331-01`));
    expect(published.headers).toEqual(row('m-1', `00-${TRACE_A}-b7ad6b7169203331-01`).headers);
    expect(() => published.end()).not.toThrow();
  });
});

describe('OtelPublishTracing with the SDK', () => {
  const exporter = new InMemorySpanExporter();
  let sdk: NodeSDK;

  beforeAll(() => {
    sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor(exporter)], instrumentations: [], metricReaders: [], logRecordProcessors: [], autoDetectResources: false });
    sdk.start();
  });
  afterAll(async () => {
    await sdk.shutdown();
    trace.disable();
    context.disable();
  });

  it("starts a producer span per row as a child of the row's trace and sends the span's traceparent", () => {
    const tracing = new OtelPublishTracing();
    const first = tracing.publishing(row('m-1', `00-${TRACE_A}-b7ad6b7169203331-01`));
    const second = tracing.publishing(row('m-2', `00-${TRACE_B}-00f067aa0ba902b7-01`));
    first.end();
    second.end(new Error('broker unavailable'));

    const [a, b] = exporter.getFinishedSpans();
    expect(a?.kind).toBe(SpanKind.PRODUCER);
    expect(a?.name).toBe('oms.order.events publish');
    expect(a?.spanContext().traceId).toBe(TRACE_A);
    expect(a?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(a?.attributes['messaging.message.id']).toBe('m-1');
    expect(first.headers).toEqual({ ...row('m-1').headers, traceparent: `00-${TRACE_A}-${a?.spanContext().spanId}-01` });
    expect(b?.spanContext().traceId).toBe(TRACE_B);
    expect(b?.status.code).toBe(SpanStatusCode.ERROR);
    expect(second.headers['traceparent']).toBe(`00-${TRACE_B}-${b?.spanContext().spanId}-01`);
  });
});
