import { Inject, Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { HealthRegistry } from '@oms/observability';
import { RELAY_LEASES, type RelayLeases } from './relay-leases.provider';

/** The readiness check RelayCoordinationModule owns (PostgreSQL only); no other module registers it. */
export const RELAY_LEASE_CHECK = 'relay_lease';

/** A heartbeat older than the TTL: the leases may have expired and other replicas taken over. */
@Injectable()
export class RelayLeaseHealth implements OnApplicationBootstrap {
  constructor(
    @Inject(RELAY_LEASES) private readonly leases: RelayLeases | null,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const leases = this.leases;
    if (!leases || !this.health) return;
    this.health.register({
      name: RELAY_LEASE_CHECK,
      readiness: true,
      check: () => {
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
      },
    });
  }
}
