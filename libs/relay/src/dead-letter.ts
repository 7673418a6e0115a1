import { DLQ_HEADERS } from '@oms/contracts';
import type { BrokerMessage, PendingOutboxMessage } from '@oms/domain';

/**
 * Headers a dead letter of an outbox row carries besides the original ones and the Go OMS's four
 * (`x-retry-count`, `x-original-topic`, `x-error-message`, `x-failed-at`, which its consumers and
 * runbooks read on every letter). Its payload stays in the row, which
 * `migrator outbox dead-letters reprocess` sets pending again; `migrator dlq reprocess` leaves these
 * letters alone (`dlq_source: outbox-relay`).
 */
export const DEAD_LETTER_HEADERS = Object.freeze({
  reason: 'dlq_reason',
  originalTopic: 'dlq_original_topic',
  attempts: 'dlq_attempts',
  failedAt: 'dlq_failed_at',
  messageId: 'dlq_message_id',
  outboxId: 'dlq_outbox_id',
  source: 'dlq_source',
  /** 'true' when the payload itself was refused too: it stays in the outbox row only. */
  payloadOmitted: 'dlq_payload_omitted',
});

const MAX_REASON_LENGTH = 1_000;

export interface DeadLetterDetails {
  readonly reason: string;
  readonly attempts: number;
  readonly failedAt: Date;
  readonly topic: string;
  readonly omitPayload?: boolean;
}

/** The dead letter of an outbox row: same key and payload, original headers plus why it failed. */
export function deadLetterMessage(row: PendingOutboxMessage, details: DeadLetterDetails): BrokerMessage {
  return {
    topic: details.topic,
    key: row.key,
    value: details.omitPayload ? '' : row.payload,
    headers: {
      ...row.headers,
      [DLQ_HEADERS.retryCount]: String(Math.max(0, details.attempts - 1)),
      [DLQ_HEADERS.originalTopic]: row.topic,
      [DLQ_HEADERS.errorMessage]: details.reason.slice(0, MAX_REASON_LENGTH),
      [DLQ_HEADERS.failedAt]: details.failedAt.toISOString(),
      [DEAD_LETTER_HEADERS.reason]: details.reason.slice(0, MAX_REASON_LENGTH),
      [DEAD_LETTER_HEADERS.originalTopic]: row.topic,
      [DEAD_LETTER_HEADERS.attempts]: String(details.attempts),
      [DEAD_LETTER_HEADERS.failedAt]: details.failedAt.toISOString(),
      [DEAD_LETTER_HEADERS.messageId]: row.messageId,
      [DEAD_LETTER_HEADERS.outboxId]: String(row.id),
      [DEAD_LETTER_HEADERS.source]: 'outbox-relay',
      ...(details.omitPayload ? { [DEAD_LETTER_HEADERS.payloadOmitted]: 'true' } : {}),
    },
  };
}
