// Loaded first by each app's tracing.ts: OpenTelemetry must hook module loading before Nest, http,
// gRPC, pg and kafkajs load, so this file imports nothing of OMS or Nest. Configured only by the standard
// OTEL_* variables; off (nothing started) while no trace exporter is set
// (OTEL_TRACES_EXPORTER unset, empty or 'none'). Metrics stay on /metrics (prom-client) and
// logs on stdout (pino): the SDK exports traces only.
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { getStringListFromEnv } from '@opentelemetry/core';
import { NodeSDK, resources, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';

/** Probes and scrapes of the ops server: a span each would drown the traces that matter. */
const OPS_PATHS = new Set(['/livez', '/readyz', '/healthz', '/metrics']);

/** The auto-instrumentations OMS uses (OTEL_NODE_ENABLED_INSTRUMENTATIONS / _DISABLED_ still apply). */
export function omsInstrumentations(): ReturnType<typeof getNodeAutoInstrumentations> {
  return getNodeAutoInstrumentations({
    // pino lines get trace_id / span_id from the OMS logger's mixin; no second copy, no log export.
    '@opentelemetry/instrumentation-pino': { enabled: false },
    // The relay batches rows of many traces into one send; it starts a producer span per row and
    // sets each message's traceparent itself, which this instrumentation would overwrite.
    '@opentelemetry/instrumentation-kafkajs': { enabled: false },
    '@opentelemetry/instrumentation-dns': { enabled: false },
    '@opentelemetry/instrumentation-net': { enabled: false },
    '@opentelemetry/instrumentation-http': {
      ignoreIncomingRequestHook: (request) => OPS_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
    },
  });
}

/** Starts tracing when an exporter is configured (or span processors are given); undefined when off. */
export function startTracing(serviceName: string, overrides: Partial<NodeSDKConfiguration> = {}): NodeSDK | undefined {
  const exporters = (getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? []).filter((name) => name !== 'none');
  if (exporters.length === 0 && !overrides.spanProcessors) return undefined;
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, detected at start, override this default.
    resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.name': serviceName })),
    metricReaders: [],
    logRecordProcessors: [],
    ...overrides,
    // Built only when not given: each instance enables itself on construction.
    instrumentations: overrides.instrumentations ?? omsInstrumentations(),
  });
  sdk.start();
  // A natural exit flushes here; the shutdown coordinator's exit flushes through flushTracing().
  process.once('beforeExit', () => void sdk.shutdown());
  return sdk;
}
