import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HealthRegistry } from '@oms/observability';
import { STORAGE_DRIVERS, type StorageDrivers } from '@oms/storage';

export const DATABASE_CHECK = 'database';

/** /readyz of order-api fails while the storage backend does not answer. */
@Injectable()
export class StorageReadinessCheck implements OnApplicationBootstrap {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(STORAGE_DRIVERS) private readonly storage: StorageDrivers,
  ) {}

  onApplicationBootstrap(): void {
    // The storage module may register the same check itself one day; one is enough.
    if (this.health.list().some((check) => check.name === DATABASE_CHECK)) return;
    this.health.register({ name: DATABASE_CHECK, readiness: true, check: () => this.storage.ping() });
  }
}
