import { Global, Inject, Module, Optional, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { EventStore, IdempotencyStore, Inbox, OrderProjection, Outbox, SagaStore, UnitOfWork } from '@oms/domain';
import { HealthRegistry, OmsMetrics } from '@oms/observability';
import { createMemoryDrivers } from './memory';
import type { StorageDrivers } from './storage-drivers';

/** The readiness check this module owns (registered when the ops platform is loaded); no other module registers it. */
export const DATABASE_CHECK = 'database';

/** Nest token of the StorageDrivers set chosen from config (readiness checks, shutdown, tools). */
export const STORAGE_DRIVERS = Symbol.for('oms.storage.drivers');

/**
 * The PostgreSQL driver (TypeORM, pg and the migrations) is loaded only when it is configured
 * or asked for, so a process on memory storage never loads it.
 */
export const loadPostgresStorage = () => import('./postgres');

/** The driver set `config.storage.driver` names. */
export async function createStorageDrivers(config: OmsConfig): Promise<StorageDrivers> {
  switch (config.storage.driver) {
    case 'memory':
      return createMemoryDrivers({ partitions: config.outbox.partitions });
    case 'postgres':
      return (await loadPostgresStorage()).createPostgresDrivers(config);
    default: {
      const unknown: never = config.storage.driver;
      throw new Error(`unknown storage driver ${String(unknown)}`);
    }
  }
}

const port = (token: abstract new (...args: never[]) => unknown, pick: (drivers: StorageDrivers) => unknown): Provider => ({
  provide: token,
  useFactory: pick,
  inject: [STORAGE_DRIVERS],
});

/**
 * Provides every storage port (EventStore, Outbox, OrderProjection, IdempotencyStore,
 * SagaStore, Inbox, UnitOfWork) and STORAGE_DRIVERS, all from ONE driver set chosen by
 * `config.storage.driver`; closes it when the application shuts down.
 */
@Global()
@Module({})
export class StorageModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(STORAGE_DRIVERS) private readonly drivers: StorageDrivers,
    @Optional() private readonly health?: HealthRegistry,
    @Optional() private readonly metrics?: OmsMetrics,
  ) {}

  private poolTimer?: NodeJS.Timeout;

  /** Every app that stores anything is not ready while its database does not answer. */
  onApplicationBootstrap(): void {
    const { metrics, drivers } = this;
    const poolStats = drivers.poolStats?.bind(drivers);
    if (metrics && poolStats) {
      const report = () => {
        const stats = poolStats();
        metrics.dbPoolConnections.labels('total').set(stats.total);
        metrics.dbPoolConnections.labels('idle').set(stats.idle);
        metrics.dbPoolConnections.labels('waiting').set(stats.waiting);
      };
      report();
      this.poolTimer = setInterval(report, 5_000);
      this.poolTimer.unref();
    }
    this.health?.register({ name: DATABASE_CHECK, readiness: true, check: () => this.drivers.ping() });
  }

  static forRoot(): DynamicModule {
    const providers: Provider[] = [
      { provide: STORAGE_DRIVERS, useFactory: createStorageDrivers, inject: [OMS_CONFIG] },
      port(EventStore, (drivers) => drivers.eventStore),
      port(Outbox, (drivers) => drivers.outbox),
      port(OrderProjection, (drivers) => drivers.projection),
      port(IdempotencyStore, (drivers) => drivers.idempotency),
      port(SagaStore, (drivers) => drivers.sagas),
      port(Inbox, (drivers) => drivers.inbox),
      port(UnitOfWork, (drivers) => drivers.unitOfWork),
    ];
    return {
      module: StorageModule,
      global: true,
      providers,
      exports: [STORAGE_DRIVERS, EventStore, Outbox, OrderProjection, IdempotencyStore, SagaStore, Inbox, UnitOfWork],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.poolTimer) clearInterval(this.poolTimer);
    await this.drivers.close();
  }
}
