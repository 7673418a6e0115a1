import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { OrderEventsConsumer } from './order-events.consumer';
import { SagaMetrics } from './saga-metrics';
import { SagaRecoverySweep } from './saga-recovery.sweep';
import { SagaRunner } from './saga-runner';

export interface SagasModuleOptions {
  /** Modules exporting the tokens below when they are not global. */
  readonly imports?: ModuleMetadata['imports'];
  /** A SagaMetrics binding (e.g. Prometheus); the no-op one is used when absent. */
  readonly metrics?: Provider<SagaMetrics>;
}

/**
 * The saga orchestrator: consumes order events, runs fulfilment / cancellation / refund sagas,
 * sweeps due saga timers. Starts consuming on application bootstrap; on shutdown stops
 * consuming and lets steps in flight finish (beforeApplicationShutdown).
 *
 * Tokens it needs from the application (global modules or `imports`):
 * - OMS_CONFIG (@oms/config)                              ConfigModule.forRoot()
 * - MessageConsumer, MessagePublisher (@oms/domain)       MessagingModule.forRoot()
 * - UnitOfWork, SagaStore, Inbox (@oms/domain)            StorageModule.forRoot()
 * - OrderStreams, Clock (@oms/domain)                     OrderWriteModule.forRoot()
 * - InventoryPort, PaymentPort (@oms/domain)              PartnersModule.forRoot() (@oms/partners)
 * Optional: SagaMetrics (this lib), through `options.metrics` or a global provider.
 */
@Module({})
export class SagasModule {
  static forRoot(options: SagasModuleOptions = {}): DynamicModule {
    return {
      module: SagasModule,
      imports: options.imports ?? [],
      providers: [SagaRunner, OrderEventsConsumer, SagaRecoverySweep, ...(options.metrics ? [options.metrics] : [])],
      exports: [SagaRunner, OrderEventsConsumer, SagaRecoverySweep],
    };
  }
}
