import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type OmsConfig } from '@oms/config';
import { GrpcServerModule } from '@oms/observability/grpc';
import { ObservabilityModule } from '@oms/observability';
import { StorageModule } from '@oms/storage';
import { IdempotencyCleanupWorker, OrdersModule, OrderWriteModule, orderServicePackageDefinition } from '@oms/orders';
import { OutboxBackpressureCheck } from './outbox-backpressure.check';

export const APP_NAME = 'order-api';

export interface AppModuleOptions {
  /** The config loaded by main.ts (or built by a test). */
  readonly config: OmsConfig;
  /** Where JSON log lines go (default stdout). */
  readonly logDestination?: NodeJS.WritableStream;
}

/**
 * order-api: REST + gRPC oms.v1.OrderService on the storage driver chosen by config; not ready
 * while the outbox backlog exceeds OMS_OUTBOX_MAX_PENDING.
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
        OrderWriteModule.forRoot(),
        OrdersModule.forRoot(),
        GrpcServerModule.forRoot({ packageDefinition: orderServicePackageDefinition() }),
      ],
      providers: [IdempotencyCleanupWorker, OutboxBackpressureCheck],
    };
  }
}
