import type { BrokerMessage, ReceivedMessage } from '@oms/domain';

/**
 * Headers of a consumer's dead letter on `oms.dlq` (docs/events.md): the Go OMS's four, then
 * OMS's own. The letter keeps the original key, value and headers (CloudEvents, traceparent).
 */
export const DLQ_HEADERS = Object.freeze({
  /** Retries after the first failure before the consumer gave up (0: dead-lettered at once, e.g. not an envelope). */
  retryCount: 'x-retry-count',
  originalTopic: 'x-original-topic',
  errorMessage: 'x-error-message',
  /** RFC 3339, UTC. */
  failedAt: 'x-failed-at',
  sourcePartition: 'oms_source_partition',
  sourceOffset: 'oms_source_offset',
  consumerGroup: 'oms_consumer_group',
  /** The consumer's name in the inbox (e.g. saga-orchestrator). */
  consumer: 'oms_consumer',
});

/** Names the previous release wrote instead of x-error-message and x-original-topic. */
const LEGACY_HEADERS = { errorMessage: 'oms_error', originalTopic: 'oms_source_topic' } as const;

const DEAD_LETTER_HEADER_NAMES: ReadonlySet<string> = new Set([...Object.values(DLQ_HEADERS), ...Object.values(LEGACY_HEADERS)]);

const MAX_ERROR_LENGTH = 1_000;

/** Set by the outbox relay on the letters of rows the broker refused (libs/relay dead-letter.ts). */
const OUTBOX_RELAY_SOURCE_HEADER = 'dlq_source';

export interface ConsumerFailure {
  /** The dead-letter topic (OMS_KAFKA_DLQ_TOPIC). */
  readonly topic: string;
  readonly reason: string;
  readonly retries: number;
  readonly failedAt: Date;
  readonly groupId: string;
  readonly consumer: string;
}

/** The dead letter of a message a consumer gave up on: same key, value and headers, plus why and where from. */
export function consumerDeadLetter(message: ReceivedMessage, failure: ConsumerFailure): BrokerMessage {
  return {
    topic: failure.topic,
    key: message.key,
    value: message.value,
    headers: {
      ...withoutDeadLetterHeaders(message.headers),
      [DLQ_HEADERS.retryCount]: String(failure.retries),
      [DLQ_HEADERS.originalTopic]: message.topic,
      [DLQ_HEADERS.errorMessage]: failure.reason.slice(0, MAX_ERROR_LENGTH),
      [DLQ_HEADERS.failedAt]: failure.failedAt.toISOString(),
      [DLQ_HEADERS.sourcePartition]: String(message.partition),
      [DLQ_HEADERS.sourceOffset]: message.offset,
      [DLQ_HEADERS.consumerGroup]: failure.groupId,
      [DLQ_HEADERS.consumer]: failure.consumer,
    },
  };
}

/** True for the headers a dead letter adds (a replay drops them, keeping the original ones). */
export const isDeadLetterHeader = (name: string): boolean => DEAD_LETTER_HEADER_NAMES.has(name);

/** The original headers of a dead letter: every header but the dead-letter ones. */
export function withoutDeadLetterHeaders<T>(headers: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isDeadLetterHeader(name)));
}

/** What a consumer's dead letter says about its failure; null for an outbox row's letter or one that names no original topic. */
export interface DeadLetterOrigin {
  readonly originalTopic: string;
  readonly error: string;
  readonly retries: number | undefined;
  readonly failedAt: Date | undefined;
}

export function deadLetterOrigin(headers: Readonly<Record<string, string | undefined>>): DeadLetterOrigin | null {
  // The relay's letters carry the Go OMS headers too, but their rows are replayed from the outbox.
  if (headers[OUTBOX_RELAY_SOURCE_HEADER] === 'outbox-relay') return null;
  const originalTopic = headers[DLQ_HEADERS.originalTopic] ?? headers[LEGACY_HEADERS.originalTopic];
  if (!originalTopic) return null;
  const retries = Number(headers[DLQ_HEADERS.retryCount]);
  const failedAt = Date.parse(headers[DLQ_HEADERS.failedAt] ?? '');
  return {
    originalTopic,
    error: headers[DLQ_HEADERS.errorMessage] ?? headers[LEGACY_HEADERS.errorMessage] ?? '',
    retries: headers[DLQ_HEADERS.retryCount] !== undefined && Number.isSafeInteger(retries) ? retries : undefined,
    failedAt: Number.isNaN(failedAt) ? undefined : new Date(failedAt),
  };
}
