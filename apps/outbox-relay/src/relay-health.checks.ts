import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Outbox } from '@oms/domain';
import { MESSAGING_DRIVER, type MessagingDriver } from '@oms/messaging';
import { HealthRegistry } from '@oms/observability';
import { STORAGE_DRIVERS, type StorageDrivers } from '@oms/storage';
import { RELAY_LEASES, type RelayLeases } from './relay-leases.module';

/**
 * /readyz of outbox-relay: the database and the broker answer, the backlog is under
 * OMS_OUTBOX_MAX_PENDING and, on PostgreSQL, the partition leases are heartbeating (relay_lease).
 */
@Injectable()
export class RelayHealthChecks implements OnApplicationBootstrap {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    @Inject(STORAGE_DRIVERS) private readonly storage: StorageDrivers,
    @Inject(MESSAGING_DRIVER) private readonly messaging: MessagingDriver,
    private readonly outbox: Outbox,
    @Inject(RELAY_LEASES) private readonly leases: RelayLeases | null,
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
    const leases = this.leases;
    if (leases) {
      // A heartbeat older than the TTL: the leases may have expired and other replicas taken over.
      add('relay_lease', async () => {
        const status = leases.status();
        return {
          up: leases.heartbeatFresh(),
          details: {
            owner: status.owner,
            partitions: status.partitions.length,
            share: status.target,
            members: status.members,
            lastHeartbeatAt: status.lastHeartbeatAt?.toISOString() ?? null,
            leaseTtlMs: status.leaseTtlMs,
          },
        };
      });
    }
  }
}
