import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { OutboxSignal } from '@oms/relay';
import { loadPostgresStorage } from '@oms/storage';

type OutboxListener = InstanceType<Awaited<ReturnType<typeof loadPostgresStorage>>['PostgresOutboxListener']>;

/**
 * On PostgreSQL, LISTENs on oms_outbox (a dedicated, reconnecting connection) and wakes the
 * relay on every commit with outbox rows; OMS_OUTBOX_POLL_INTERVAL stays the fallback.
 */
@Injectable()
export class OutboxListenerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private listener: OutboxListener | undefined;

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly signal: OutboxSignal,
  ) {}

  get listening(): boolean {
    return this.listener?.listening ?? false;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { driver, postgres } = this.config.storage;
    if (driver !== 'postgres' || !postgres.dsn) return;
    const storage = await loadPostgresStorage();
    this.listener = new storage.PostgresOutboxListener({
      dsn: postgres.dsn,
      applicationName: `${this.config.serviceName}-listen`,
      onNotify: () => this.signal.notify(),
      logger: new Logger('OutboxListener'),
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
    this.listener = undefined;
  }
}
