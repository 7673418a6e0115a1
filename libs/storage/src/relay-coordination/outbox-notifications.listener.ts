import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import type { PostgresOutboxListener } from '../postgres';
import { loadPostgresStorage } from '../storage.module';

/**
 * Wake-ups on committed outbox rows from other processes. On PostgreSQL it LISTENs on
 * oms_outbox (a dedicated, reconnecting connection) and calls every subscriber on each NOTIFY
 * and after each reconnect; on memory storage there is no other process and it stays silent.
 */
@Injectable()
export class OutboxNotifications implements OnApplicationBootstrap, OnApplicationShutdown {
  private listener: PostgresOutboxListener | undefined;
  private readonly subscribers = new Set<() => void>();

  constructor(@Inject(OMS_CONFIG) private readonly config: OmsConfig) {}

  /** True while a connection is LISTENing. */
  get listening(): boolean {
    return this.listener?.listening ?? false;
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { driver, postgres } = this.config.storage;
    if (driver !== 'postgres' || !postgres.dsn) return;
    const storage = await loadPostgresStorage();
    this.listener = new storage.PostgresOutboxListener({
      dsn: postgres.dsn,
      applicationName: `${this.config.serviceName}-listen`,
      onNotify: () => {
        for (const subscriber of this.subscribers) subscriber();
      },
      logger: new Logger('OutboxListener'),
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
    this.listener = undefined;
  }
}
