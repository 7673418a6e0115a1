import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { DLQ_HEADERS, consumerDeadLetter } from '@oms/contracts';
import { Clock, MessagePublisher, SystemClock, type ReceivedMessage } from '@oms/domain';
import { SagaMetrics } from './saga-metrics';
import { SAGA_INBOX_CONSUMER } from './saga-policy';

/** Dead-letter headers: why (x-error-message) and where from, next to the original CloudEvents headers. */
export const DLQ_ERROR_HEADER = DLQ_HEADERS.errorMessage;
export const DLQ_SOURCE_HEADERS = {
  topic: DLQ_HEADERS.originalTopic,
  partition: DLQ_HEADERS.sourcePartition,
  offset: DLQ_HEADERS.sourceOffset,
  group: DLQ_HEADERS.consumerGroup,
  consumer: DLQ_HEADERS.consumer,
} as const;

/**
 * Publishes a message the saga consumer gave up on to the dead-letter topic, as it came, with
 * the Go OMS's headers (x-retry-count, x-original-topic, x-error-message, x-failed-at) and the
 * source partition, offset and consumer group. `migrator dlq reprocess` replays it.
 */
@Injectable()
export class SagaDeadLetters {
  private readonly logger = new Logger(SagaDeadLetters.name);
  private readonly clock: Clock;

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly publisher: MessagePublisher,
    @Optional() private readonly metrics?: SagaMetrics,
    @Optional() clock?: Clock,
  ) {
    this.clock = clock ?? new SystemClock();
  }

  /** `retries`: retries after the first failure (0 for a message that is not an envelope). */
  async publish(message: ReceivedMessage, reason: string, retries = 0): Promise<void> {
    const where = `${message.topic}[${message.partition}]@${message.offset} (key ${message.key})`;
    this.logger.warn(`dead-lettering ${where} after ${retries} retries: ${reason}`);
    await this.publisher.publish([
      consumerDeadLetter(message, {
        topic: this.config.broker.kafka.dlqTopic,
        reason,
        retries,
        failedAt: this.clock.now(),
        groupId: this.config.saga.consumerGroup,
        consumer: SAGA_INBOX_CONSUMER,
      }),
    ]);
    this.metrics?.deadLettered(message.topic);
  }
}
