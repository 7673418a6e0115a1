import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@oms/messaging';
import { OtelPublishTracing, PlatformModule, type AppOptions } from '@oms/observability';
import { PrometheusRelayMetrics, RelayModule } from '@oms/relay';
import { OutboxNotifications, RELAY_LEASES, RelayCoordinationModule, StorageModule } from '@oms/storage';

export const APP_NAME = 'outbox-relay';

/**
 * outbox-relay: moves committed outbox rows to the broker, per-key order, on the drivers chosen
 * by config. On PostgreSQL the replicas share the outbox partitions through leases and wake on
 * NOTIFY; on memory storage this single relay owns every partition.
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
        RelayCoordinationModule,
        RelayModule.forRoot({
          metrics: PrometheusRelayMetrics,
          tracing: OtelPublishTracing,
          assignment: { useExisting: RELAY_LEASES },
          wakeUps: OutboxNotifications,
        }),
      ],
    };
  }
}
