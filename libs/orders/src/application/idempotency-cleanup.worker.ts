import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Clock, deleteInBatches, errorMessage, IdempotencyStore, PeriodicRun } from '@oms/domain';
import { OmsMetrics } from '@oms/observability';

export interface IdempotencyCleanupStats {
  readonly runs: { readonly success: number; readonly failure: number };
  readonly deletedTotal: number;
  readonly lastDeleted: number;
}

/**
 * Deletes idempotency keys older than config.idempotency.ttlMs every
 * config.idempotency.cleanupIntervalMs (0 = off). Each statement deletes at most
 * cleanupBatchSize rows, so no run holds long locks; a run loops until a batch comes back
 * short of full. Runs never overlap. Metrics: oms_idempotency_cleanup_runs_total{result=ok|error},
 * oms_idempotency_cleanup_deleted_total, oms_idempotency_cleanup_last_deleted.
 */
@Injectable()
export class IdempotencyCleanupWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyCleanupWorker.name);
  private readonly runs = new PeriodicRun((stopping) => this.deleteExpired(stopping), 0);
  private counters = { success: 0, failure: 0, deletedTotal: 0, lastDeleted: 0 };

  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    @Optional() private readonly metrics?: OmsMetrics,
  ) {}

  get stats(): IdempotencyCleanupStats {
    const { success, failure, deletedTotal, lastDeleted } = this.counters;
    return { runs: { success, failure }, deletedTotal, lastDeleted };
  }

  onApplicationBootstrap(): void {
    if (!this.runs.start(this.config.idempotency.cleanupIntervalMs)) {
      this.logger.log('idempotency key cleanup is off (OMS_IDEMPOTENCY_CLEANUP_INTERVAL=0)');
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runs.stop();
  }

  /** One cleanup run; resolves with the number of keys deleted (0 when a run is already going). */
  runOnce(): Promise<number> {
    return this.runs.runOnce();
  }

  private async deleteExpired(stopping: AbortSignal): Promise<number> {
    const { ttlMs, cleanupBatchSize } = this.config.idempotency;
    const cutoff = new Date(this.clock.now().getTime() - ttlMs);
    const run = await deleteInBatches((limit) => this.store.deleteExpired(cutoff, limit), cleanupBatchSize, undefined, stopping);
    const { deleted } = run;
    this.counters.deletedTotal += deleted;
    this.metrics?.idempotencyCleanupDeleted.inc(deleted);
    if (run.failed) {
      this.counters.failure += 1;
      this.metrics?.idempotencyCleanupRuns.labels('error').inc();
      this.logger.error(`idempotency key cleanup failed after deleting ${deleted}: ${errorMessage(run.error)}`);
      return deleted;
    }
    this.counters.success += 1;
    this.counters.lastDeleted = deleted;
    this.metrics?.idempotencyCleanupRuns.labels('ok').inc();
    this.metrics?.idempotencyCleanupLastDeleted.set(deleted);
    if (deleted > 0) this.logger.log(`deleted ${deleted} expired idempotency keys`);
    return deleted;
  }
}
