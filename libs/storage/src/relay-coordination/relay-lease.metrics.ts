import { Inject, Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { OmsMetrics } from '@oms/observability';
import { Gauge } from 'prom-client';
import { RELAY_LEASES, type RelayLeases } from './relay-leases.provider';

/**
 * Lease gauges of this replica (PostgreSQL only), read at scrape time:
 * oms_outbox_partitions_owned and oms_outbox_lease_heartbeat_age_seconds (alert when it nears
 * OMS_OUTBOX_LEASE_TTL: the replica is about to lose its partitions).
 */
@Injectable()
export class RelayLeaseMetrics implements OnApplicationBootstrap {
  constructor(
    @Inject(RELAY_LEASES) private readonly leases: RelayLeases | null,
    @Optional() private readonly metrics?: OmsMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const leases = this.leases;
    if (!leases || !this.metrics) return;
    const registry = this.metrics.registry;
    new Gauge({
      name: 'oms_outbox_partitions_owned',
      help: 'Outbox partitions this relay replica holds a lease on.',
      registers: [registry],
      collect() {
        this.set(leases.status().partitions.length);
      },
    });
    new Gauge({
      name: 'oms_outbox_lease_heartbeat_age_seconds',
      help: 'Seconds since this relay replica last renewed its outbox partition leases (-1 before the first heartbeat).',
      registers: [registry],
      collect() {
        const last = leases.status().lastHeartbeatAt;
        this.set(last ? (Date.now() - last.getTime()) / 1000 : -1);
      },
    });
  }
}
