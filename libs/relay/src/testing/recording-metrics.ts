import { RelayMetrics, type PublishAttemptResult } from '../relay.metrics';

/** RelayMetrics that keeps every report for assertions. */

export class RecordingMetrics extends RelayMetrics {
  publishedTotal = 0;
  deadLetteredTotal = 0;
  /** Reports by result (one per publish call or failed bookkeeping step). */
  readonly attempts: Record<PublishAttemptResult, number> = { sent: 0, failed: 0, dlq_failed: 0, retry_error: 0 };
  /** Rows by result, as oms_outbox_publish_attempts_total counts them. */
  readonly rows: Record<PublishAttemptResult, number> = { sent: 0, failed: 0, dlq_failed: 0, retry_error: 0 };
  pending: number | undefined;
  oldestAgeSeconds: number | undefined;

  published(count: number): void {
    this.publishedTotal += count;
  }
  publishAttempt(result: PublishAttemptResult, rows: number): void {
    this.attempts[result]++;
    this.rows[result] += rows;
  }
  pendingRows(count: number): void {
    this.pending = count;
  }
  oldestPendingAge(seconds: number): void {
    this.oldestAgeSeconds = seconds;
  }
  deadLettered(count: number): void {
    this.deadLetteredTotal += count;
  }
}
