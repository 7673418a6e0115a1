import { Metadata, credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { startObservability } from '@oms/observability';
import { orderServiceClientConstructor } from '@oms/orders';
import { IdempotencyCleanupWorker } from '@oms/orders';
import { startTestOrderApi, type TestOrderApi } from './testing/order-api.test-app';

describe('order-api ops: readiness and metrics', () => {
  let api: TestOrderApi;

  beforeAll(async () => {
    api = await startTestOrderApi();
    startObservability(api.app);
  });
  afterAll(async () => {
    await api.close();
  });

  it('is ready once started, with the database check', async () => {
    const response = await fetch(`${api.opsUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('database');
  });

  it('exposes REST, gRPC and idempotency cleanup metrics', async () => {
    await api.app.inject({ method: 'GET', url: '/v1/orders/missing' });
    const OrderService = orderServiceClientConstructor();
    const client = new OrderService(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as Client & Record<string, any>;
    await new Promise<void>((resolve) =>
      client['GetOrder']({ orderId: 'missing' }, new Metadata(), (_error: ServiceError | null) => resolve()),
    );
    client.close();
    await api.app.get(IdempotencyCleanupWorker).runOnce();

    const metrics = await (await fetch(`${api.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/oms_grpc_requests_total\{method="\/oms\.v1\.OrderService\/GetOrder",code="NOT_FOUND"\} 1/);
    expect(metrics).toMatch(/oms_http_requests_total\{[^}]*status="404"[^}]*\} 1/);
    expect(metrics).toMatch(/oms_idempotency_cleanup_runs_total\{result="ok"\} 1/);
    expect(metrics).toMatch(/oms_idempotency_cleanup_last_deleted 0/);
  });
});
