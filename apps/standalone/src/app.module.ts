import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type OmsConfig } from '@oms/config';
import { MessagingModule } from '@oms/messaging';
import { GrpcServerModule } from '@oms/observability/grpc';
import { ObservabilityModule, OtelPublishTracing } from '@oms/observability';
import { IdempotencyCleanupWorker, OrdersModule, OrderWriteModule, orderServicePackageDefinition } from '@oms/orders';
import { PrometheusRelayMetrics, RelayModule } from '@oms/relay';
import { PartnersModule } from '@oms/partners';
import { PrometheusSagaMetrics, SagaMetrics, SagasModule } from '@oms/sagas';
import { StorageModule } from '@oms/storage';

export const APP_NAME = 'standalone';

export interface AppModuleOptions {
  readonly config: OmsConfig;
  /** Where JSON log lines go (default stdout). */
  readonly logDestination?: NodeJS.WritableStream;
}

/**
 * The whole OMS in one process: order API, outbox relay, saga orchestrator and the
 * in-process partners, on the drivers chosen by config (memory by default).
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ appName: APP_NAME, config: options.config }),
        ObservabilityModule.forRoot({ appName: APP_NAME, logDestination: options.logDestination }),
        StorageModule.forRoot(),
        MessagingModule.forRoot(),
        OrderWriteModule.forRoot(),
        OrdersModule.forRoot(),
        GrpcServerModule.forRoot({ packageDefinition: orderServicePackageDefinition() }),
        RelayModule.forRoot({ metrics: PrometheusRelayMetrics, tracing: OtelPublishTracing }),
        PartnersModule.forRoot(),
        SagasModule.forRoot({ metrics: { provide: SagaMetrics, useClass: PrometheusSagaMetrics } }),
      ],
      providers: [IdempotencyCleanupWorker],
    };
  }
}
