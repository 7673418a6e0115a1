import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type AppOptions } from '@oms/observability';
import { GrpcServerModule } from '@oms/observability/grpc';
import { StorageModule } from '@oms/storage';
import { IdempotencyCleanupWorker, OrdersModule, OrderWriteModule, orderServicePackageDefinition } from '@oms/orders';

export const APP_NAME = 'order-api';

/** order-api: REST + gRPC oms.v1.OrderService on the storage driver chosen by config. */
@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ ...options, appName: APP_NAME }),
        StorageModule.forRoot(),
        OrderWriteModule.forRoot(),
        OrdersModule.forRoot(),
        GrpcServerModule.forRoot({ packageDefinition: orderServicePackageDefinition() }),
      ],
      providers: [IdempotencyCleanupWorker],
    };
  }
}
