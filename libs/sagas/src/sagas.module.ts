import { Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { OrderEventsController } from './edge/order-events.controller';
import { SagaEventsTransport } from './edge/saga-events.transport';
import { InboxCleanupWorker } from './inbox-cleanup.worker';
import { SagaDeadLetters } from './saga-dead-letters';
import { SagaMetrics } from './saga-metrics';
import { SagaRecoverySweep } from './saga-recovery.sweep';
import { SagaRunner } from './saga-runner';
import { SagaTriggers } from './saga-triggers';

export interface SagasModuleOptions {
  /** Modules exporting the tokens below when they are not global. */
  readonly imports?: ModuleMetadata['imports'];
  /** A SagaMetrics binding (e.g. Prometheus); the no-op one is used when absent. */
  readonly metrics?: Provider<SagaMetrics>;
}

/**
 * Stops consuming, then lets the saga steps in flight finish and commit (no new partner call),
 * before storage and broker close (their onApplicationShutdown). Nest closes the transport too,
 * but only after this hook in a hybrid app: consuming must stop first.
 */
@Injectable()
class SagasShutdown implements BeforeApplicationShutdown {
  constructor(
    private readonly transport: SagaEventsTransport,
    private readonly runner: SagaRunner,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.runner.drain(); // the messages still in hand start their sagas without a partner call
    await this.transport.close();
    await this.runner.stop();
  }
}

/**
 * The saga orchestrator: order events arrive through SagaEventsTransport (a Nest transport over
 * the MessageConsumer port) at OrderEventsController's `@EventPattern` handlers, which start or
 * wake fulfilment / cancellation / refund sagas; the recovery sweep drives due saga timers.
 * The app connects the transport, then starts it once the app is initialised:
 *
 *   app.connectMicroservice({ strategy: app.get(SagaEventsTransport) });
 *   await app.init(); await app.startAllMicroservices();
 *
 * (or `NestFactory.createMicroservice(AppModule, { inject: [SagaEventsTransport], useFactory:
 * (strategy) => ({ strategy }) })` for an app that serves nothing else). On shutdown it stops
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
      controllers: [OrderEventsController],
      providers: [
        SagaRunner,
        SagaTriggers,
        SagaDeadLetters,
        SagaEventsTransport,
        SagaRecoverySweep,
        SagasShutdown,
        InboxCleanupWorker,
        ...(options.metrics ? [options.metrics] : []),
      ],
      exports: [SagaRunner, SagaEventsTransport, SagaRecoverySweep, InboxCleanupWorker],
    };
  }
}
