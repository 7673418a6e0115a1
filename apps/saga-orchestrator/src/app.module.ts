import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@oms/messaging';
import { PlatformModule, type AppOptions } from '@oms/observability';
import { OrderWriteModule } from '@oms/orders';
import { PartnersModule } from '@oms/partners';
import { PrometheusSagaMetrics, SagaMetrics, SagasModule } from '@oms/sagas';
import { StorageModule } from '@oms/storage';
import { SagaCompensationReporter } from './saga-compensation.reporter';

export const APP_NAME = 'saga-orchestrator';

/**
 * saga-orchestrator: consumes order events and runs the sagas, on the storage, broker and
 * partner drivers chosen by config (OMS_STORAGE_DRIVER, OMS_BROKER_DRIVER, OMS_PARTNER_DRIVER).
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
        PartnersModule.forRoot(),
        SagasModule.forRoot({ metrics: { provide: SagaMetrics, useClass: PrometheusSagaMetrics } }),
      ],
      providers: [SagaCompensationReporter],
    };
  }
}
