import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type OmsConfig } from '@oms/config';
import { OrderStreams } from '@oms/domain';
import { OpsServer } from '@oms/observability';
import { GrpcServerHost } from '@oms/observability/grpc';
import { APP_NAME } from '../app.module';
import { createOrderApi } from '../order-api.app';

/** Config of an order-api under test: memory drivers, ephemeral ports, no background cleanup. */
export function testConfig(overrides: Record<string, string> = {}): OmsConfig {
  return loadConfig(
    {
      OMS_HTTP_ADDR: '127.0.0.1:0',
      OMS_GRPC_ADDR: '127.0.0.1:0',
      OMS_METRICS_ADDR: '127.0.0.1:0',
      OMS_STORAGE_DRIVER: 'memory',
      OMS_BROKER_DRIVER: 'memory',
      OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
      OMS_HTTP_BODY_LIMIT: '16kb',
      OMS_SHUTDOWN_TIMEOUT: '2s',
      LOG_LEVEL: 'silent',
      ...overrides,
    },
    { appName: APP_NAME },
  );
}

export interface TestOrderApi {
  readonly app: NestFastifyApplication;
  readonly grpcPort: number;
  readonly orders: OrderStreams;
  /** Base URL of the ops server (/metrics, /readyz). */
  readonly opsUrl: string;
  close(): Promise<void>;
}

/** The whole order-api (REST via inject, gRPC on a real ephemeral port) on memory drivers. */
export async function startTestOrderApi(config: OmsConfig = testConfig(), options: { consoleDir?: string } = {}): Promise<TestOrderApi> {
  const app = await createOrderApi(config, { logger: false, ...options });
  await app.init();
  await app.startAllMicroservices();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    grpcPort: app.get(GrpcServerHost).port,
    orders: app.get(OrderStreams),
    opsUrl: `http://127.0.0.1:${app.get(OpsServer).address().port}`,
    close: () => app.close(),
  };
}
