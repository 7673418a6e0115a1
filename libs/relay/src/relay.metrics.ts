/**
 * `success`: the broker acknowledged; `unavailable`: an outage (retried forever);
 * `rejected`: the broker refused the message itself (counts towards dead-lettering).
 */
export type PublishAttemptResult = 'success' | 'unavailable' | 'rejected';

/**
 * What the relay reports; the app binds it to Prometheus (oms_outbox_events_total,
 * oms_outbox_publish_attempts_total{result}, oms_outbox_pending_records,
 * oms_outbox_oldest_pending_age_seconds, oms_outbox_dead_letters_total).
 */
export abstract class RelayMetrics {
  /** Rows published and marked sent. */
  abstract published(count: number): void;
  /** One publish call with `messages` messages ended with `result`. */
  abstract publishAttempt(result: PublishAttemptResult, messages: number): void;
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
