import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MESSAGING_DRIVER, type MessagingDriver } from '@oms/messaging';
import { HealthRegistry } from '@oms/observability';
import { STORAGE_DRIVERS, type StorageDrivers } from '@oms/storage';

export const DATABASE_CHECK = 'database';
export const BROKER_CHECK = 'broker';

/** /readyz of the standalone OMS fails while the database or the broker does not answer. */
@Injectable()
export class ReadinessChecks implements OnApplicationBootstrap {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(STORAGE_DRIVERS) private readonly storage: StorageDrivers,
    @Inject(MESSAGING_DRIVER) private readonly messaging: MessagingDriver,
  ) {}

  onApplicationBootstrap(): void {
    const registered = new Set(this.health.list().map((check) => check.name));
    // Another module may register the same check one day; one is enough.
    if (!registered.has(DATABASE_CHECK)) this.health.register({ name: DATABASE_CHECK, readiness: true, check: () => this.storage.ping() });
    if (!registered.has(BROKER_CHECK)) this.health.register({ name: BROKER_CHECK, readiness: true, check: () => this.messaging.ping() });
  }
}
