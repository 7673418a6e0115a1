import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type OmsConfig } from '@oms/config';
import { MessagingModule } from '@oms/messaging';
import { ObservabilityModule } from '@oms/observability';
import { OrderWriteModule } from '@oms/orders';
import { PartnersModule, PrometheusSagaMetrics, SagaMetrics, SagasModule } from '@oms/sagas';
import { StorageModule } from '@oms/storage';
import { SagaCompensationReporter } from './saga-compensation.reporter';

export const APP_NAME = 'saga-orchestrator';

export interface AppModuleOptions {
  /** The config loaded by main.ts (or built by a test). */
  readonly config: OmsConfig;
  /** Exit function of the shutdown coordinator (tests replace process.exit). */
  readonly exit?: (code: number) => void;
}

/**
 * saga-orchestrator: consumes order events and runs the sagas, on the storage, broker and
 * partner drivers chosen by config (OMS_STORAGE_DRIVER, OMS_BROKER_DRIVER, OMS_PARTNER_DRIVER).
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ appName: APP_NAME, config: options.config }),
        ObservabilityModule.forRoot({ appName: APP_NAME, ...(options.exit ? { exit: options.exit } : {}) }),
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
