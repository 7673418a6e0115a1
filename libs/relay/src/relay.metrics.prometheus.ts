import { Injectable } from '@nestjs/common';
import { OmsMetrics } from '@oms/observability';
import { RelayMetrics, type PublishAttemptResult } from './relay.metrics';

/** The relay's reports as the Go OMS metrics (oms_outbox_*), for apps that run the ops platform. */
@Injectable()
export class PrometheusRelayMetrics extends RelayMetrics {
  constructor(private readonly metrics: OmsMetrics) {
    super();
  }

  published(count: number): void {
    this.metrics.outboxEvents.inc(count);
  }

  publishAttempt(result: PublishAttemptResult, rows: number): void {
    this.metrics.outboxPublishAttempts.labels(result).inc(rows);
  }

  pendingRows(count: number): void {
    this.metrics.outboxPendingRecords.set(count);
  }

  oldestPendingAge(seconds: number): void {
    this.metrics.outboxOldestPendingAge.set(seconds);
  }

  deadLettered(count: number): void {
    this.metrics.outboxDeadLetters.inc(count);
  }
}
