import { RelayMetrics, type PublishAttemptResult } from '../relay.metrics';

/** RelayMetrics that keeps every report for assertions. */

export class RecordingMetrics extends RelayMetrics {
  publishedTotal = 0;
  deadLetteredTotal = 0;
  readonly attempts: Record<PublishAttemptResult, number> = { success: 0, unavailable: 0, rejected: 0 };
  pending: number | undefined;
  oldestAgeSeconds: number | undefined;

  published(count: number): void {
    this.publishedTotal += count;
  }
  publishAttempt(result: PublishAttemptResult): void {
    this.attempts[result]++;
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
