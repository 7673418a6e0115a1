import { Module, type DynamicModule } from '@nestjs/common';
import type { OmsConfig } from '@oms/config';
import { PlatformModule, type ObservabilityOptions } from '@oms/observability';
import { GrpcServerModule } from '@oms/observability/grpc';
import { InventoryGrpcController } from './inventory-grpc.controller';
import { MockPartners } from './mock-partners';
import { PartnerMocksHttpServer } from './partner-mocks.http-server';
import { partnerPackageDefinition } from './partner-protos';
import { PaymentGrpcController } from './payment-grpc.controller';

export const APP_NAME = 'partner-mocks';

export interface AppModuleOptions {
  /** The config loaded by main.ts (or built by a test). */
  readonly config: OmsConfig;
  /** Test hooks of the observability module (log sink, exit function). */
  readonly observability?: Omit<ObservabilityOptions, 'appName'>;
}

/**
 * partner-mocks: Inventory + Payment as @GrpcMethod controllers on OMS_GRPC_ADDR (the shared
 * GrpcServerHost, with health and reflection), stats and scriptable faults
 * over HTTP on OMS_HTTP_ADDR, probes and metrics on OMS_METRICS_ADDR.
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ ...options.observability, config: options.config, appName: APP_NAME }),
        GrpcServerModule.forRoot({ packageDefinition: partnerPackageDefinition() }),
      ],
      controllers: [InventoryGrpcController, PaymentGrpcController],
      providers: [MockPartners, PartnerMocksHttpServer],
    };
  }
}
