import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type OmsConfig } from '@oms/config';
import { MessagingModule } from '@oms/messaging';
import { ObservabilityModule, OtelPublishTracing } from '@oms/observability';
import { AllPartitionsAssignment, PrometheusRelayMetrics, RELAY_OPTIONS, RelayModule, type RelayOptions } from '@oms/relay';
import { StorageModule } from '@oms/storage';
import { OutboxListenerLifecycle } from './outbox-listener.lifecycle';
import { RelayHealthChecks } from './relay-health.checks';
import { RelayLeaseMetrics } from './relay-lease.metrics';
import { RELAY_LEASES, RelayLeasesModule, type RelayLeases } from './relay-leases.module';

export const APP_NAME = 'outbox-relay';

export interface AppModuleOptions {
  /** The config loaded by main.ts (or built by a test). */
  readonly config: OmsConfig;
  /** Where JSON log lines go (default stdout). */
  readonly logDestination?: NodeJS.WritableStream;
}

/**
 * outbox-relay: moves committed outbox rows to the broker, per-key order, on the drivers chosen
 * by config. On PostgreSQL the replicas share the outbox partitions through leases and wake on
 * NOTIFY; on memory storage this single relay owns every partition.
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
        RelayLeasesModule,
        RelayModule.forRoot({
          metrics: PrometheusRelayMetrics,
          tracing: OtelPublishTracing,
          assignment: {
            useFactory: (leases: RelayLeases | null, relayOptions: RelayOptions) =>
              leases ?? new AllPartitionsAssignment(relayOptions.partitions),
            inject: [RELAY_LEASES, RELAY_OPTIONS],
          },
        }),
      ],
      providers: [RelayHealthChecks, RelayLeaseMetrics, OutboxListenerLifecycle],
    };
  }
}
