import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Outbox } from '@oms/domain';
import { MESSAGING_DRIVER, type MessagingDriver } from '@oms/messaging';
import { HealthRegistry } from '@oms/observability';
import { STORAGE_DRIVERS, type StorageDrivers } from '@oms/storage';

/** /readyz of outbox-relay: the database and the broker answer, and the backlog is under OMS_OUTBOX_MAX_PENDING. */
@Injectable()
export class RelayHealthChecks implements OnApplicationBootstrap {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    @Inject(STORAGE_DRIVERS) private readonly storage: StorageDrivers,
    @Inject(MESSAGING_DRIVER) private readonly messaging: MessagingDriver,
    private readonly outbox: Outbox,
  ) {}

  onApplicationBootstrap(): void {
    const registered = new Set(this.health.list().map((check) => check.name));
    const add = (name: string, check: () => Promise<void | { up: boolean; details?: Record<string, unknown> }>): void => {
      if (!registered.has(name)) this.health.register({ name, readiness: true, check });
    };
    add('database', () => this.storage.ping());
    add('broker', () => this.messaging.ping());
    add('outbox_backlog', async () => {
      const { pending, oldestPendingAt } = await this.outbox.stats();
      return {
        up: pending <= this.config.outbox.maxPending,
        details: { pending, maxPending: this.config.outbox.maxPending, oldestPendingAt: oldestPendingAt?.toISOString() ?? null },
      };
    });
  }
}
