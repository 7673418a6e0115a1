import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import type { PostgresOutboxLeases } from '../postgres';
import { loadPostgresStorage } from '../storage.module';

/** This relay replica's partition leases in PostgreSQL (shaped as the relay's PartitionAssignment). */
export type RelayLeases = PostgresOutboxLeases;

/** Nest token of the RelayLeases, or null on memory storage (one relay owns every partition). */
export const RELAY_LEASES = Symbol.for('oms.storage.relay-leases');

/** Readable in pg_stat_activity and the leases table, unique per process (a restart is a new member). */
export function relayOwnerId(): string {
  return `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

async function openRelayLeases(config: OmsConfig): Promise<RelayLeases | null> {
  if (config.storage.driver !== 'postgres') return null;
  const storage = await loadPostgresStorage();
  return storage.openPostgresOutboxLeases(config, { owner: relayOwnerId(), logger: new Logger('OutboxLeases') });
}

export const relayLeasesProvider: Provider = { provide: RELAY_LEASES, useFactory: openRelayLeases, inject: [OMS_CONFIG] };

/** Closes the leases' pool once the relay has stopped and released them (its beforeApplicationShutdown). */
@Injectable()
export class RelayLeasesLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RELAY_LEASES) private readonly leases: RelayLeases | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.leases?.close();
  }
}
