import type { OutboxPublishResult } from '@oms/observability';

/**
 * What a publish attempt of outbox rows came to, in the Go OMS's label values of
 * oms_outbox_publish_attempts_total{result}:
 * - `sent`: the rows reached their topic;
 * - `failed`: publishing them to their topic failed, whether an outage (retried without
 *   counting) or a refusal of the broker (counted towards dead-lettering);
 * - `dlq_failed`: a row out of attempts could not be dead-lettered (both the dead letter and
 *   its payload-less fallback failed); it stays pending and blocks its partition until it can;
 * - `retry_error`: a refused attempt could not be recorded in the outbox (a storage error), so
 *   the row's attempt count did not move; the round fails and is retried after a backoff.
 */
export type PublishAttemptResult = OutboxPublishResult;

/**
 * What the relay reports; the app binds it to Prometheus (oms_outbox_events_total,
 * oms_outbox_publish_attempts_total{result}, oms_outbox_pending_records,
 * oms_outbox_oldest_pending_age_seconds, oms_outbox_dead_letters_total).
 */
export abstract class RelayMetrics {
  /** Rows published and marked sent. */
  abstract published(count: number): void;
  /** An attempt covering `rows` outbox rows ended with `result` (each row counts once). */
  abstract publishAttempt(result: PublishAttemptResult, rows: number): void;
  abstract pendingRows(count: number): void;
  abstract oldestPendingAge(seconds: number): void;
  abstract deadLettered(count: number): void;
}

/** Default when the app binds no metrics: every report is dropped. */
export class NoopRelayMetrics extends RelayMetrics {
  published(): void {
    // no metrics backend
  }
  publishAttempt(): void {
    // no metrics backend
  }
  pendingRows(): void {
    // no metrics backend
  }
  oldestPendingAge(): void {
    // no metrics backend
  }
  deadLettered(): void {
    // no metrics backend
  }
}
