import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Clock, deleteInBatches, errorMessage, Inbox, PeriodicRun } from '@oms/domain';
import { OmsMetrics } from '@oms/observability';

/**
 * Forgets handled message ids older than config.inbox.retentionMs every
 * config.inbox.cleanupIntervalMs (0 = off), at most cleanupBatchSize rows per statement, until
 * a batch comes back short. Without it processed_messages grows by a row per consumed event
 * for ever, and every insert into its key index gets dearer. Runs never overlap; every
 * replica may run it (the driver's batches are disjoint). Metrics:
 * oms_inbox_cleanup_runs_total{result=ok|error}, oms_inbox_cleanup_deleted_total.
 */
@Injectable()
export class InboxCleanupWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InboxCleanupWorker.name);
  private readonly runs = new PeriodicRun((stopping) => this.deleteOld(stopping), 0);

  constructor(
    private readonly inbox: Inbox,
    private readonly clock: Clock,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    @Optional() private readonly metrics?: OmsMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runs.start(this.config.inbox.cleanupIntervalMs)) {
      this.logger.log('inbox cleanup is off (OMS_INBOX_CLEANUP_INTERVAL=0): processed_messages keeps every handled message id');
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runs.stop();
  }

  /** One run; resolves with the number of ids deleted (0 when a run is already going). */
  runOnce(): Promise<number> {
    return this.runs.runOnce();
  }

  private async deleteOld(stopping: AbortSignal): Promise<number> {
    const { retentionMs, cleanupBatchSize } = this.config.inbox;
    const cutoff = new Date(this.clock.now().getTime() - retentionMs);
    const run = await deleteInBatches(
      (limit) => this.inbox.deleteProcessedBefore(cutoff, limit),
      cleanupBatchSize,
      (batch) => this.metrics?.inboxCleanupDeleted.inc(batch),
      stopping,
    );
    const { deleted } = run;
    this.metrics?.inboxCleanupRuns.labels(run.failed ? 'error' : 'ok').inc();
    if (run.failed) {
      this.logger.error(`inbox cleanup failed after deleting ${deleted}: ${errorMessage(run.error)}`);
    } else if (deleted > 0) {
      this.logger.log(`forgot ${deleted} message ids handled before ${cutoff.toISOString()}`);
    }
    return deleted;
  }
}
