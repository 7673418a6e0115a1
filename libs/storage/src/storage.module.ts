import { Global, Inject, Logger, Module, Optional, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { EventStore, IdempotencyStore, Inbox, OrderProjection, Outbox, SagaStore, UnitOfWork } from '@oms/domain';
import { HealthRegistry, OmsMetrics, OpsServer } from '@oms/observability';
import { createMemoryDrivers } from './memory';
import { SCHEMA_CHECK, SchemaWatch } from './schema-watch';
import { schemaServes } from './schema-version';
import type { StorageDrivers } from './storage-drivers';

/** The readiness check this module owns (registered when the ops platform is loaded); no other module registers it. */
export const DATABASE_CHECK = 'database';

/** How often a start-up waiting for migrations looks at the schema again. */
const SCHEMA_RECHECK_MS = 1_000;

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
    @Optional() private readonly ops?: OpsServer,
  ) {}

  private poolTimer?: NodeJS.Timeout;
  private stopped = false;

  /**
   * Every app that stores anything is not ready while its database does not answer, nor while
   * the schema is not the one its build expects. A schema behind at start-up holds the start
   * (global modules bootstrap first, so no loop, consumer or listener runs on it) until
   * `migrator migrate up` ran; the ops endpoints answer meanwhile.
   */
  async onApplicationBootstrap(): Promise<void> {
    this.registerChecks();
    await this.untilDatabaseReachable();
    if (this.stopped) return; // shut down while waiting: nothing to start, no ops server to reopen
    const read = this.drivers.schemaVersion?.bind(this.drivers);
    if (!read) return;
    const watch = new SchemaWatch(read, new Logger('SchemaVersion'));
    if (this.health && !this.health.list().some((check) => check.name === SCHEMA_CHECK)) {
      this.health.register({ name: SCHEMA_CHECK, readiness: true, check: () => watch.readiness() });
    }
    // Read before the watch logs: a line saying the start waits comes once the probes answer.
    const version = await read().catch(() => undefined);
    if (version && schemaServes(version)) {
      watch.note(version); // e.g. "ahead, all marked backward compatible: serving", at start as before
      return;
    }
    await this.ops?.listen(); // probes answer (not ready, alive) while the start waits
    await watch.untilServing(SCHEMA_RECHECK_MS, () => this.stopped);
  }

  /**
   * A database out of reach at start-up is waited for, not ready, with the probes answering
   * (ADR 0027): an orchestrator restarting the process in a loop would not bring it sooner.
   */
  private async untilDatabaseReachable(): Promise<void> {
    const { unreachableAtStart } = this.drivers;
    if (unreachableAtStart === undefined || !this.drivers.untilReachable) return;
    const logger = new Logger('Storage');
    await this.ops?.listen(); // before the line, so a probe sent on reading it is answered
    logger.warn(`${unreachableAtStart}; not ready, waiting for the database`);
    await this.drivers.untilReachable(SCHEMA_RECHECK_MS, () => this.stopped);
    if (!this.stopped) logger.warn('the database answers: starting');
  }

  private registerChecks(): void {
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
    if (metrics) drivers.observeConnectionWait?.((waitMs) => metrics.dbPoolWait.observe(waitMs / 1000));
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
    this.stopped = true;
    if (this.poolTimer) clearInterval(this.poolTimer);
    await this.drivers.close();
  }
}
