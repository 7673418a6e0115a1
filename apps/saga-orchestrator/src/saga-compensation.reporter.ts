import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock, SagaStore, type SagaStep } from '@oms/domain';
import { OmsMetrics } from '@oms/observability';

/**
 * Steps retried until the partner answers (ADR 0007): during a partner outage a saga waits on
 * one of them for as long as the outage lasts, so their age is what operators alert on.
 */
export const RETRIED_UNTIL_ANSWERED_STEPS: readonly SagaStep[] = ['release', 'refund'];

/** A scrape interval: the figures are for alerts over minutes, not for the saga itself. */
export const COMPENSATION_REPORT_INTERVAL_MS = 15_000;

/**
 * Samples the sagas waiting on a release or refund into oms_saga_compensation_retrying and
 * oms_saga_compensation_oldest_age_seconds (alert: OmsSagaCompensationRetryingTooLong). The
 * figures are database-wide, so every replica reports the same values (dashboards use max).
 */
@Injectable()
export class SagaCompensationReporter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SagaCompensationReporter.name);
  private timer?: NodeJS.Timeout;
  private reporting?: Promise<void>;

  constructor(
    private readonly sagas: SagaStore,
    private readonly clock: Clock,
    private readonly metrics: OmsMetrics,
  ) {}

  onApplicationBootstrap(): void {
    void this.report();
    this.timer = setInterval(() => void this.report(), COMPENSATION_REPORT_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reporting;
  }

  /** One sample (never two at once); a failed query leaves the last figures and is logged. */
  report(): Promise<void> {
    this.reporting ??= this.sample().finally(() => {
      this.reporting = undefined;
    });
    return this.reporting;
  }

  private async sample(): Promise<void> {
    try {
      const { count, oldestStepStartedAt } = await this.sagas.pendingStepStats(RETRIED_UNTIL_ANSWERED_STEPS);
      const ageSeconds = oldestStepStartedAt ? (this.clock.now().getTime() - oldestStepStartedAt.getTime()) / 1000 : 0;
      this.metrics.sagaCompensationsRetrying.set(count);
      this.metrics.sagaCompensationOldestAge.set(Math.max(0, ageSeconds));
    } catch (error) {
      this.logger.warn(`saga compensation figures not sampled: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
