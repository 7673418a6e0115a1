import { context, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  SpanKind,
  activeTraceparent,
  contextOf,
  inSpan,
  inTraceOf,
  startSpan,
  traceIdOf,
  withTraceparent,
} from './trace-context';
import { flushTracing } from './tracing.flush';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('trace context helpers without an SDK', () => {
  it('have no active traceparent and leave headers as they were', async () => {
    expect(activeTraceparent()).toBeUndefined();
    const seen = await inSpan('work', {}, async () => activeTraceparent());
    expect(seen).toBeUndefined();
    const span = startSpan('publish', { traceparent: PARENT });
    // A non-recording span keeps the parent's context: the row's traceparent travels unchanged.
    expect(withTraceparent({ a: '1' }, span)).toEqual({ a: '1', traceparent: PARENT });
    await expect(flushTracing()).resolves.toBeUndefined();
  });

  it('read the trace id of a traceparent and refuse malformed ones', () => {
    expect(traceIdOf(PARENT)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(traceIdOf('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeUndefined();
    expect(traceIdOf('garbage')).toBeUndefined();
    expect(traceIdOf(undefined)).toBeUndefined();
  });
});

describe('trace context helpers with the SDK', () => {
  const exporter = new InMemorySpanExporter();
  let sdk: NodeSDK;

  beforeAll(() => {
    sdk = new NodeSDK({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      instrumentations: [],
      metricReaders: [],
      logRecordProcessors: [],
      autoDetectResources: false,
    });
    sdk.start();
  });
  afterAll(async () => {
    await sdk.shutdown();
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  it('inSpan continues a given traceparent and exposes its own as the active one', async () => {
    const inner = await inSpan('saga step', { traceparent: PARENT, attributes: { 'oms.saga.id': 's-1' } }, async () =>
      activeTraceparent(),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('saga step');
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span?.attributes['oms.saga.id']).toBe('s-1');
    expect(inner).toBe(`00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`);
  });

  it('inSpan without a traceparent is a child of the active span; a malformed one is ignored', async () => {
    await inSpan('outer', {}, () => inSpan('inner', { traceparent: 'not-a-traceparent' }, async () => undefined));
    const [inner, outer] = exporter.getFinishedSpans();
    expect(inner?.name).toBe('inner');
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(inner?.spanContext().traceId).toBe(outer?.spanContext().traceId);
  });

  it('inTraceOf makes a stored traceparent the parent of what runs in it, and keeps the active context without one', async () => {
    await inTraceOf(PARENT, () => inSpan('resumed', {}, async () => undefined));
    await inTraceOf(undefined, () => inSpan('untraced', {}, async () => undefined));
    const [resumed, untraced] = exporter.getFinishedSpans();
    expect(resumed?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(resumed?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(untraced?.parentSpanContext).toBeUndefined();
  });

  it('inSpan marks the span failed and rethrows', async () => {
    await expect(inSpan('boom', {}, async () => Promise.reject(new TypeError('no partner')))).rejects.toThrow('no partner');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: 2, message: 'no partner' });
    expect(span?.attributes['error.type']).toBe('TypeError');
  });

  it('a started span replaces the traceparent of headers with its own, in the same trace', () => {
    const span = startSpan('oms.order.events publish', { kind: SpanKind.PRODUCER, traceparent: PARENT });
    const headers = withTraceparent({ ce_id: 'e-1', traceparent: PARENT }, span);
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(headers).toEqual({ ce_id: 'e-1', traceparent: `00-0af7651916cd43dd8448eb211c80319c-${finished?.spanContext().spanId}-01` });
    expect(finished?.kind).toBe(SpanKind.PRODUCER);
    expect(finished?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('contextOf keeps the base context for an absent traceparent', () => {
    const base = context.active();
    expect(contextOf(undefined, base)).toBe(base);
    expect(trace.getSpanContext(contextOf(PARENT, base))?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
