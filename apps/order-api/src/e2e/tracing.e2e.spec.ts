import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anOrder, buildApp, call, startApp, waitFor, waitUntilReady } from './built-app';

// The built standalone app exports its traces over OTLP (http/json) to a collector in this test,
// configured only by OTEL_* variables: the auto-instrumented HTTP server span of
// POST /v1/orders/{id}/pay is an ancestor of the relay's publish span, the saga's consumer and
// step spans and the partner calls. Without OTEL_TRACES_EXPORTER nothing is exported.

jest.setTimeout(240_000);

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes?: { key: string; value: { stringValue?: string } }[];
}

const received: { service: string; span: OtlpSpan }[] = [];
let collector: Server;
let endpoint: string;

beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: {
          resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
          scopeSpans?: { spans?: OtlpSpan[] }[];
        }[];
      };
      for (const resource of body.resourceSpans ?? []) {
        const service = resource.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) received.push({ service, span });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => collector.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => collector?.close(done));
});

/** OTLP span kinds. */
const SERVER = 2;
const PRODUCER = 4;

const attribute = (span: OtlpSpan | undefined, key: string) => span?.attributes?.find((entry) => entry.key === key)?.value.stringValue;

it('one trace from POST /v1/orders/{id}/pay to the partner calls, exported by the real process over OTLP', async () => {
  const main = buildApp('standalone');
  const app = await startApp(main, {
    LOG_LEVEL: 'warn',
    OMS_OUTBOX_POLL_INTERVAL: '20ms',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_SERVICE_NAME: 'oms-e2e',
  });
  try {
    await waitUntilReady(app);
    const created = await call(app.httpUrl, 'POST', '/v1/orders', anOrder('cust-trace'), { 'idempotency-key': `trace-create-${process.pid}` });
    expect(created.status).toBe(201);
    const orderId = created.body['order'].id as string;
    expect((await call(app.httpUrl, 'POST', `/v1/orders/${orderId}/pay`, undefined, { 'idempotency-key': `trace-pay-${process.pid}` })).status).toBe(202);

    // The saga ends before the relay publishes its last events; wait for that span (or time out and report).
    const spans = await waitFor('the OrderConfirmed publish span at the collector', async () => {
      const all = received.map((entry) => entry.span);
      return all.some((span) => attribute(span, 'cloudevents.event_type') === 'oms.order.v1.OrderConfirmed') ? all : undefined;
    }, 15_000, 100).catch(() => received.map((entry) => entry.span));
    if (!spans.some((span) => span.kind === PRODUCER)) {
      throw new Error('no relay publish span at all: the app must bind RelayModule.forRoot({ tracing: OtelPublishTracing })');
    }

    const request = spans.find((span) => span.kind === SERVER && (attribute(span, 'url.path') ?? '').endsWith(`/v1/orders/${orderId}/pay`));
    if (!request) throw new Error(`no server span of the pay request among ${spans.map((span) => span.name).join(', ')}`);
    const inTrace = spans.filter((span) => span.traceId === request.traceId);
    const byId = new Map(inTrace.map((span) => [span.spanId, span]));
    const ancestors = (span: OtlpSpan | undefined): string[] => {
      const chain: string[] = [];
      for (let parent = span?.parentSpanId; parent && byId.has(parent); parent = byId.get(parent)?.parentSpanId) chain.push(parent);
      return chain;
    };

    const publish = inTrace.find((span) => attribute(span, 'cloudevents.event_type') === 'oms.order.v1.OrderPaymentRequested');
    expect(ancestors(publish)).toContain(request.spanId);
    for (const name of ['oms.order.events process', 'saga fulfilment reserve', 'partner reserve', 'saga fulfilment charge', 'partner charge']) {
      const span = inTrace.find((candidate) => candidate.name === name);
      expect({ name, descendsFromRequest: ancestors(span).includes(request.spanId) }).toEqual({ name, descendsFromRequest: true });
    }
    expect(new Set(received.map((entry) => entry.service))).toEqual(new Set(['oms-e2e']));
  } finally {
    expect((await app.stop()).code).toBe(0);
  }
});

it('without OTEL_TRACES_EXPORTER the SDK stays off: nothing is exported', async () => {
  const main = buildApp('order-api');
  received.length = 0;
  const app = await startApp(main, { LOG_LEVEL: 'warn', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
  await waitUntilReady(app);
  const created = await call(app.httpUrl, 'POST', '/v1/orders', anOrder('cust-untraced'), { 'idempotency-key': `untraced-${process.pid}` });
  expect(created.status).toBe(201);
  await new Promise((done) => setTimeout(done, 500));
  expect((await app.stop()).code).toBe(0);
  expect(received).toEqual([]);
});
