import type { Client, Metadata } from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inSpan } from '@oms/observability';
import { callUnary } from './grpc-unary';

/** A client whose one method records the metadata it was called with and answers at once. */
function recordingClient(): { client: Client; seen: Metadata[] } {
  const seen: Metadata[] = [];
  const client = {
    Reserve(_request: unknown, metadata: Metadata, _options: unknown, callback: (error: null, response: object) => void) {
      seen.push(metadata);
      callback(null, { ok: true });
    },
  } as unknown as Client;
  return { client, seen };
}

describe('callUnary metadata', () => {
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

  it('carries the idempotency key and the traceparent of the active span (the saga step) to the partner', async () => {
    const { client, seen } = recordingClient();
    await inSpan('partner reserve', {}, () => callUnary(client, 'Reserve', {}, { timeoutMs: 1_000, idempotencyKey: 'saga-1:reserve' }));
    const [span] = exporter.getFinishedSpans();
    expect(seen[0]?.get('idempotency-key')).toEqual(['saga-1:reserve']);
    expect(seen[0]?.get('traceparent')).toEqual([`00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`]);
  });

  it('sends no traceparent outside a span', async () => {
    const { client, seen } = recordingClient();
    await callUnary(client, 'Reserve', {}, { timeoutMs: 1_000, idempotencyKey: 'saga-2:reserve' });
    expect(seen[0]?.get('idempotency-key')).toEqual(['saga-2:reserve']);
    expect(seen[0]?.get('traceparent')).toEqual([]);
  });
});
