import { randomUUID } from 'node:crypto';
import type { OmsConfig } from '@oms/config';
import { postgresSettingsOf } from './data-source';
import { PostgresDatabase, type SqlExecutor } from './postgres-database';

export interface PostgresOutboxLeasesOptions {
  /** Outbox partitions 0..partitions-1 (OMS_OUTBOX_PARTITIONS). */
  readonly partitions: number;
  /** A lease not renewed for this long may be taken over (OMS_OUTBOX_LEASE_TTL). */
  readonly leaseTtlMs: number;
  /** This replica's member id; default a random one (a restarted process is a new member). */
  readonly owner?: string;
  readonly logger?: { warn(message: string): void; log?(message: string): void };
}

/** What this replica holds, for health checks and logs. */
export interface OutboxLeaseStatus {
  readonly owner: string;
  readonly partitions: readonly number[];
  /** Live members at the last heartbeat (this one included), 0 before the first. */
  readonly members: number;
  /** Fair share at the last heartbeat. */
  readonly target: number;
  /** Local time of the last successful heartbeat; null before the first. */
  readonly lastHeartbeatAt: Date | null;
  readonly leaseTtlMs: number;
}

/** Members whose heartbeat is older than this many TTLs are deleted (a crashed replica's row). */
const FORGET_AFTER_TTLS = 10;

/**
 * Outbox partition leases in PostgreSQL (outbox_leases + outbox_relay_members), shaped as the
 * relay's PartitionAssignment (owned / release / onChange).
 *
 * Every leaseTtl/3 the replica heartbeats in ONE transaction: it refreshes its member row,
 * reads the live members (fresh heartbeat), renews its leases and computes its fair share —
 * partitions split as evenly as possible, the replicas ordered by id taking the remainder.
 * Below its share it claims free or expired partitions with FOR UPDATE SKIP LOCKED, so two
 * replicas never claim the same one. Above its share it gives partitions up, but only from
 * owned(), which the relay calls between batches: a partition changes hands after its
 * in-flight batch is done. A timer keeps heartbeating while a batch runs or the relay idles.
 *
 * owned() returns only leases still valid by the local clock (measured from before the
 * renewing transaction began), so a replica cut off from the database stops starting new
 * batches before anyone else may take its partitions over.
 */
export class PostgresOutboxLeases {
  readonly owner: string;
  private readonly partitions: number;
  private readonly ttlMs: number;
  private readonly heartbeatMs: number;
  private readonly logger: PostgresOutboxLeasesOptions['logger'];
  private readonly listeners = new Set<() => void>();

  private held: number[] = [];
  private validUntil = 0;
  private lastHeartbeat = 0;
  private members = 0;
  private target = 0;
  private seeded = false;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private closed = false;

  constructor(
    private readonly db: SqlExecutor & Pick<PostgresDatabase, 'transaction'>,
    options: PostgresOutboxLeasesOptions,
    private readonly onClose?: () => Promise<void>,
  ) {
    if (!Number.isSafeInteger(options.partitions) || options.partitions < 1) {
      throw new RangeError(`outbox partitions must be a positive integer, got ${options.partitions}`);
    }
    if (!(options.leaseTtlMs >= 3)) throw new RangeError(`lease TTL must be at least 3 ms, got ${options.leaseTtlMs}`);
    this.partitions = options.partitions;
    this.ttlMs = options.leaseTtlMs;
    this.heartbeatMs = Math.max(1, Math.floor(options.leaseTtlMs / 3));
    this.owner = options.owner ?? `relay-${randomUUID()}`;
    this.logger = options.logger;
  }

  /**
   * The partitions this replica may publish now. Called between batches: heartbeats when due,
   * and this is the only place partitions above the fair share are handed over.
   */
  async owned(): Promise<readonly number[]> {
    if (this.closed) return [];
    this.startTimer();
    if (Date.now() - this.lastHeartbeat >= this.heartbeatMs || this.held.length > this.target) {
      await this.serialised(() => this.heartbeat(true));
    }
    return Date.now() < this.validUntil ? [...this.held] : [];
  }

  /** Gives every partition up and leaves the member list (graceful stop, last batch done). */
  async release(): Promise<void> {
    this.stopTimer();
    await this.serialised(async () => {
      const had = this.held.length;
      this.held = [];
      this.validUntil = 0;
      try {
        await this.db.transaction(async (tx) => {
          await tx.query(`UPDATE outbox_leases SET lease_until = '-infinity' WHERE owner = $1`, [this.owner]);
          await tx.query('DELETE FROM outbox_relay_members WHERE owner = $1', [this.owner]);
        });
        if (had > 0) this.logger?.log?.(`outbox relay ${this.owner} released its ${had} partition(s)`);
      } catch (error) {
        // The leases expire after the TTL anyway; a failed release only delays the take-over.
        this.logger?.warn(`outbox relay ${this.owner} could not release its leases: ${errorText(error)}`);
      }
    });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): OutboxLeaseStatus {
    return {
      owner: this.owner,
      partitions: !this.closed && Date.now() < this.validUntil ? [...this.held] : [],
      members: this.members,
      target: this.target,
      lastHeartbeatAt: this.lastHeartbeat > 0 ? new Date(this.lastHeartbeat) : null,
      leaseTtlMs: this.ttlMs,
    };
  }

  /** True when the last successful heartbeat is younger than the lease TTL. */
  heartbeatFresh(now = Date.now()): boolean {
    return this.lastHeartbeat > 0 && now - this.lastHeartbeat < this.ttlMs;
  }

  /**
   * Stops heartbeating WITHOUT giving anything up (the leases then expire after the TTL) and
   * closes the connection pool it opened itself. Call release() first for a graceful stop.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTimer();
    await this.queue.catch(() => undefined);
    await this.onClose?.();
  }

  private startTimer(): void {
    if (this.timer) return;
    // Checks twice per heartbeat period; heartbeats only when owned() has not just done so.
    this.timer = setInterval(() => {
      if (Date.now() - this.lastHeartbeat < this.heartbeatMs) return;
      void this.serialised(() => this.heartbeat(false)).catch((error: unknown) => {
        this.failures++;
        // First failure and then every tenth: an outage must be visible without flooding the log.
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.logger?.warn(`outbox relay ${this.owner} heartbeat failed (${this.failures}x): ${errorText(error)}`);
        }
      });
    }, Math.max(1, Math.floor(this.heartbeatMs / 2)));
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** One heartbeat transaction; `mayRelease` only from owned(), i.e. between batches. */
  private async heartbeat(mayRelease: boolean): Promise<void> {
    const startedAt = Date.now();
    const ttl = this.ttlMs;
    const result = await this.db.transaction(async (tx) => {
      if (!this.seeded) {
        // One row per partition, free until claimed: claims then only ever UPDATE, which row locks serialise.
        await tx.query(
          `INSERT INTO outbox_leases (partition, owner, lease_until, heartbeat_at)
           SELECT g, '', '-infinity', '-infinity' FROM generate_series(0, $1::int - 1) AS g
           ON CONFLICT (partition) DO NOTHING`,
          [this.partitions],
        );
      }
      await tx.query(
        `INSERT INTO outbox_relay_members (owner, heartbeat_at, joined_at) VALUES ($1, now(), now())
         ON CONFLICT (owner) DO UPDATE SET heartbeat_at = now()`,
        [this.owner],
      );
      await tx.query(`DELETE FROM outbox_relay_members WHERE heartbeat_at < now() - $1::int * interval '1 millisecond'`, [
        ttl * FORGET_AFTER_TTLS,
      ]);
      const { rows: live } = await tx.query<{ owner: string }>(
        `SELECT owner FROM outbox_relay_members WHERE heartbeat_at > now() - $1::int * interval '1 millisecond' ORDER BY owner`,
        [ttl],
      );
      const members = Math.max(1, live.length);
      const rank = Math.max(0, live.findIndex((row) => row.owner === this.owner));
      const target = Math.floor(this.partitions / members) + (rank < this.partitions % members ? 1 : 0);

      // Renewed by owner, expired or not: nobody else took a lease that still names this replica.
      const { rows: renewed } = await tx.query<{ partition: number }>(
        `UPDATE outbox_leases SET lease_until = now() + $2::int * interval '1 millisecond', heartbeat_at = now()
         WHERE owner = $1 AND partition < $3 AND lease_until > '-infinity'
         RETURNING partition`,
        [this.owner, ttl, this.partitions],
      );
      let held = renewed.map((row) => row.partition).sort((a, b) => a - b);
      let claimed = 0;
      if (held.length > target && mayRelease) {
        const excess = held.slice(target);
        await tx.query(`UPDATE outbox_leases SET lease_until = '-infinity' WHERE owner = $1 AND partition = ANY($2::int[])`, [
          this.owner,
          excess,
        ]);
        held = held.slice(0, target);
      } else if (held.length < target) {
        const { rows: taken } = await tx.query<{ partition: number }>(
          `UPDATE outbox_leases SET owner = $1, lease_until = now() + $2::int * interval '1 millisecond', heartbeat_at = now()
           WHERE partition IN (
             SELECT partition FROM outbox_leases
             WHERE partition < $3 AND lease_until < now()
             ORDER BY partition LIMIT $4
             FOR UPDATE SKIP LOCKED)
           RETURNING partition`,
          [this.owner, ttl, this.partitions, target - held.length],
        );
        claimed = taken.length;
        held = [...held, ...taken.map((row) => row.partition)].sort((a, b) => a - b);
      }
      return { held, members: live.length, target, claimed };
    });
    this.seeded = true;
    this.failures = 0;
    const released = this.held.filter((partition) => !result.held.includes(partition));
    this.held = result.held;
    this.members = result.members;
    this.target = result.target;
    this.lastHeartbeat = startedAt;
    // Measured from before the transaction began: never later than the lease the database recorded.
    this.validUntil = startedAt + ttl - Math.floor(ttl / 10);
    if (result.claimed > 0 || released.length > 0) {
      this.logger?.log?.(
        `outbox relay ${this.owner} holds partitions [${this.held.join(',')}] ` +
          `(${result.members} live member(s), share ${result.target})`,
      );
    }
    // New partitions to publish, or some to hand over at the next owned(): wake an idle relay.
    if (result.claimed > 0 || this.held.length > this.target) for (const listener of this.listeners) listener();
  }
}

/**
 * PostgresOutboxLeases on a pool of its own (two connections), so heartbeats never queue
 * behind the relay's batches; close() destroys that pool.
 */
export async function openPostgresOutboxLeases(
  config: OmsConfig,
  options: Omit<PostgresOutboxLeasesOptions, 'partitions' | 'leaseTtlMs'> & Partial<PostgresOutboxLeasesOptions> = {},
): Promise<PostgresOutboxLeases> {
  const settings = postgresSettingsOf(config);
  const db = await PostgresDatabase.open({ ...settings, poolMax: 2, applicationName: `${settings.applicationName ?? 'oms'}-leases` });
  return new PostgresOutboxLeases(db, { partitions: config.outbox.partitions, leaseTtlMs: config.outbox.leaseTtlMs, ...options }, () =>
    db.close(),
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
