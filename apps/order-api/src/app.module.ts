import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type AppOptions } from '@oms/observability';
import { GrpcServerModule } from '@oms/observability/grpc';
import { StorageModule } from '@oms/storage';
import { ConsoleModule, IdempotencyCleanupWorker, OrdersModule, OrderWriteModule, orderServicePackageDefinition } from '@oms/orders';
import { OutboxBackpressureCheck } from './outbox-backpressure.check';

export const APP_NAME = 'order-api';

/**
 * order-api: REST + gRPC oms.v1.OrderService on the storage driver chosen by config; not ready
 * while the outbox backlog exceeds OMS_OUTBOX_MAX_PENDING.
 */
@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ ...options, appName: APP_NAME }),
        StorageModule.forRoot(),
        OrderWriteModule.forRoot(),
        OrdersModule.forRoot({ admin: options.config.admin.token !== undefined }),
        ...(options.config.console.enabled ? [ConsoleModule] : []),
        GrpcServerModule.forRoot({ packageDefinition: orderServicePackageDefinition() }),
      ],
      providers: [IdempotencyCleanupWorker, OutboxBackpressureCheck],
    };
  }
}
