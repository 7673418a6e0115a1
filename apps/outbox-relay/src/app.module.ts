import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type OmsConfig } from '@oms/config';
import { MessagingModule } from '@oms/messaging';
import { ObservabilityModule } from '@oms/observability';
import { RelayModule } from '@oms/relay';
import { StorageModule } from '@oms/storage';
import { PrometheusRelayMetrics } from './prometheus-relay.metrics';
import { RelayHealthChecks } from './relay-health.checks';

export const APP_NAME = 'outbox-relay';

export interface AppModuleOptions {
  /** The config loaded by main.ts (or built by a test). */
  readonly config: OmsConfig;
  /** Where JSON log lines go (default stdout). */
  readonly logDestination?: NodeJS.WritableStream;
}

/** outbox-relay: moves committed outbox rows to the broker, per-key order, on the drivers chosen by config. */
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
        RelayModule.forRoot({ metrics: PrometheusRelayMetrics }),
      ],
      providers: [RelayHealthChecks],
    };
  }
}
