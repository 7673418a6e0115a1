export { RelayCoordinationModule } from './relay-coordination.module';
export { OutboxNotifications } from './outbox-notifications.listener';
export { RELAY_LEASE_CHECK } from './relay-lease.health';
export { RELAY_LEASES, relayOwnerId, type RelayLeases } from './relay-leases.provider';
