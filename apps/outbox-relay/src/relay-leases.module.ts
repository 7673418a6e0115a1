import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { loadPostgresStorage } from '@oms/storage';

type PostgresStorage = Awaited<ReturnType<typeof loadPostgresStorage>>;
/** This replica's partition leases in PostgreSQL. */
export type RelayLeases = InstanceType<PostgresStorage['PostgresOutboxLeases']>;

/** Nest token of the RelayLeases, or null on memory storage (one relay owns every partition). */
export const RELAY_LEASES = Symbol.for('oms.outbox-relay.leases');

/** Readable in pg_stat_activity and the leases table, unique per process (a restart is a new member). */
export function relayOwnerId(): string {
  return `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

async function openLeases(config: OmsConfig): Promise<RelayLeases | null> {
  if (config.storage.driver !== 'postgres') return null;
  const storage = await loadPostgresStorage();
  return storage.openPostgresOutboxLeases(config, { owner: relayOwnerId(), logger: new Logger('OutboxLeases') });
}

@Injectable()
class RelayLeasesLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RELAY_LEASES) private readonly leases: RelayLeases | null) {}

  // After the relay stopped and released its leases (beforeApplicationShutdown): close the pool.
  async onApplicationShutdown(): Promise<void> {
    await this.leases?.close();
  }
}

/** Provides RELAY_LEASES (global, so RelayModule's assignment factory can inject it) and closes it on shutdown. */
@Global()
@Module({
  providers: [{ provide: RELAY_LEASES, useFactory: openLeases, inject: [OMS_CONFIG] }, RelayLeasesLifecycle],
  exports: [RELAY_LEASES],
})
export class RelayLeasesModule {}
