import { Metadata, credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type OmsConfig } from '@oms/config';
import type { SagaEventBody } from '@oms/contracts';
import { MessageConsumer } from '@oms/domain';
import { HealthRegistry, OpsServer } from '@oms/observability';
import { GrpcServerHost } from '@oms/observability/grpc';
import { orderServiceClientConstructor } from '@oms/orders';
import { APP_NAME } from '../app.module';
import { createStandalone, startStandalone } from '../standalone.app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect response bodies loosely
type Json = Record<string, any>;

/** Config of a standalone OMS under test: ephemeral ports, quiet logs, fast saga sweep. */
export function lifecycleConfig(variables: Record<string, string> = {}): OmsConfig {
  return loadConfig(
    {
      OMS_HTTP_ADDR: '127.0.0.1:0',
      OMS_GRPC_ADDR: '127.0.0.1:0',
      OMS_METRICS_ADDR: '127.0.0.1:0',
      OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
      OMS_OUTBOX_POLL_INTERVAL: '20ms',
      OMS_SAGA_SWEEP_INTERVAL: '100ms',
      OMS_SHUTDOWN_TIMEOUT: '5s',
      LOG_LEVEL: 'silent',
      ...variables,
    },
    { appName: APP_NAME },
  );
}

export interface RunningOms {
  readonly baseUrl: string;
  readonly grpcAddress: string;
  /** Base URL of the ops server (/metrics, /readyz). */
  readonly opsUrl: string;
  /** Bodies read from the saga topic (config.broker.kafka.sagaTopic) by a consumer group of the test, per order in arrival order. */
  readonly sagaEvents: ReadonlyMap<string, readonly SagaEventBody[]>;
  close(): Promise<void>;
}

/** Starts the whole OMS in this process on real ephemeral ports. */
export async function startOms(config: OmsConfig): Promise<RunningOms> {
  const app: NestFastifyApplication = await createStandalone(config, { logger: false });
  await startStandalone(app, 0, '127.0.0.1');
  app.get(HealthRegistry).markStarted(); // what startObservability does in main.ts, without signal handlers
  const address = app.getHttpServer().address() as { port: number };
  // A downstream consumer of the saga lifecycle events, on the broker the app publishes to.
  const sagaEvents = new Map<string, SagaEventBody[]>();
  const subscription = await app.get(MessageConsumer).subscribe({
    groupId: `lifecycle-saga-events-${process.pid}`,
    topics: [config.broker.kafka.sagaTopic],
    handle: async (message) => {
      const body = JSON.parse(message.value) as SagaEventBody;
      sagaEvents.set(message.key, [...(sagaEvents.get(message.key) ?? []), body]);
    },
  });
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    grpcAddress: `127.0.0.1:${app.get(GrpcServerHost).port}`,
    opsUrl: `http://127.0.0.1:${app.get(OpsServer).address().port}`,
    sagaEvents,
    close: async () => {
      await subscription.stop();
      await app.close();
    },
  };
}

/**
 * The saga lifecycle events of an order once `count` have arrived (or the time is up), as
 * `[event_type, saga kind]`; checks each names the order it is keyed by.
 */
export async function waitForSagaEvents(oms: RunningOms, orderId: string, count: number, timeoutMs = 3000): Promise<string[][]> {
  const deadline = Date.now() + timeoutMs;
  while ((oms.sagaEvents.get(orderId)?.length ?? 0) < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  const events = oms.sagaEvents.get(orderId) ?? [];
  for (const event of events) {
    if (event.order_id !== orderId || Number.isNaN(Date.parse(event.timestamp))) throw new Error(`saga event of order ${orderId} is malformed: ${JSON.stringify(event)}`);
  }
  return events.map((event) => [event.event_type, event.metadata.saga_kind]);
}

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly body: Json;
}

/** One REST call with fetch; `key` sets Idempotency-Key. */
export async function rest(oms: RunningOms, method: string, path: string, body?: unknown, key?: string): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key !== undefined) headers['idempotency-key'] = key;
  const response = await fetch(`${oms.baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = {};
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, body: parsed };
}

/** Polls GET /v1/orders/{id} until the status is reached or the time is up; returns the last body. */
export async function waitForStatus(oms: RunningOms, orderId: string, status: string, timeoutMs = 2000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await rest(oms, 'GET', `/v1/orders/${orderId}`);
    if (answer.body['order']?.status === status || Date.now() > deadline) return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

type Unary = (request: Json, metadata: Metadata, callback: (error: ServiceError | null, response: Json) => void) => void;

/** A client of oms.v1.OrderService built from the project's .proto. */
export function grpcClient(oms: RunningOms): { call(method: string, request: Json, key?: string): Promise<Json>; close(): void } {
  const OrderService = orderServiceClientConstructor();
  const client = new OrderService(oms.grpcAddress, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
  return {
    call(method, request, key) {
      const metadata = new Metadata();
      if (key !== undefined) metadata.set('idempotency-key', key);
      return new Promise((resolve, reject) =>
        client[method](request, metadata, (error, response) => (error ? reject(error) : resolve(response))),
      );
    },
    close: () => client.close(),
  };
}

export const anOrderBody = (sku = 'SKU-1', customerId = 'cust-lifecycle') => ({
  customerId,
  currency: 'EUR',
  items: [
    { sku, qty: 2, price: { currency: 'EUR', amountMinor: '1250' } },
    { sku: 'SKU-2', qty: 1, price: { currency: 'EUR', amountMinor: '500' } },
  ],
});

/** Sum of every sample of one metric in a Prometheus text exposition (labels ignored). */
export function metricTotal(exposition: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!match || (match[1] !== name && match[1] !== `${name}_count`)) continue;
    total = (total ?? 0) + Number(match[3]);
  }
  return total;
}
