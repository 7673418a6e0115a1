import { Global, Module } from '@nestjs/common';
import { OutboxNotifications } from './outbox-notifications.listener';
import { RelayLeaseHealth } from './relay-lease.health';
import { RelayLeaseMetrics } from './relay-lease.metrics';
import { RELAY_LEASES, RelayLeasesLifecycle, relayLeasesProvider } from './relay-leases.provider';

/**
 * How outbox-relay replicas coordinate through the database. On PostgreSQL: the partition
 * leases (RELAY_LEASES, with their gauges and the `relay_lease` readiness check) and the
 * LISTEN oms_outbox wake-ups (OutboxNotifications). On memory storage RELAY_LEASES is null and
 * nothing listens: one relay owns every partition. Global, so that the app can hand both to
 * RelayModule (`assignment: { useExisting: RELAY_LEASES }`, `wakeUps: OutboxNotifications`).
 */
@Global()
@Module({
  providers: [relayLeasesProvider, RelayLeasesLifecycle, RelayLeaseMetrics, RelayLeaseHealth, OutboxNotifications],
  exports: [RELAY_LEASES, OutboxNotifications],
})
export class RelayCoordinationModule {}
