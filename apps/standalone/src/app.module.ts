import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@oms/messaging';
import { OtelPublishTracing, PlatformModule, type AppOptions } from '@oms/observability';
import { GrpcServerModule } from '@oms/observability/grpc';
import { ConsoleModule, IdempotencyCleanupWorker, OrdersModule, OrderWriteModule, orderServicePackageDefinition } from '@oms/orders';
import { PrometheusRelayMetrics, RelayModule } from '@oms/relay';
import { PartnersModule } from '@oms/partners';
import { PrometheusSagaMetrics, SagaMetrics, SagasModule } from '@oms/sagas';
import { StorageModule } from '@oms/storage';

export const APP_NAME = 'standalone';

/**
 * The whole OMS in one process: order API, outbox relay, saga orchestrator and the
 * in-process partners, on the drivers chosen by config (memory by default).
 */
@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ ...options, appName: APP_NAME }),
        StorageModule.forRoot(),
        MessagingModule.forRoot(),
        OrderWriteModule.forRoot(),
        OrdersModule.forRoot({ admin: options.config.admin.token !== undefined }),
        ...(options.config.console.enabled ? [ConsoleModule] : []),
        GrpcServerModule.forRoot({ packageDefinition: orderServicePackageDefinition() }),
        RelayModule.forRoot({ metrics: PrometheusRelayMetrics, tracing: OtelPublishTracing }),
        PartnersModule.forRoot(),
        SagasModule.forRoot({ metrics: { provide: SagaMetrics, useClass: PrometheusSagaMetrics } }),
      ],
      providers: [IdempotencyCleanupWorker],
    };
  }
}
