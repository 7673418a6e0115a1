import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { MessagePublisher, type ReceivedMessage } from '@oms/domain';
import { SagaMetrics } from './saga-metrics';
import { SAGA_INBOX_CONSUMER } from './saga-policy';

/** Dead-letter headers: why and where from, next to the original CloudEvents headers. */
export const DLQ_ERROR_HEADER = 'oms_error';
export const DLQ_SOURCE_HEADERS = { topic: 'oms_source_topic', partition: 'oms_source_partition', offset: 'oms_source_offset', consumer: 'oms_consumer' } as const;

/** Publishes a message the saga consumer cannot handle to the dead-letter topic, as it came, with the reason. */
@Injectable()
export class SagaDeadLetters {
  private readonly logger = new Logger(SagaDeadLetters.name);

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly publisher: MessagePublisher,
    @Optional() private readonly metrics?: SagaMetrics,
  ) {}

  async publish(message: ReceivedMessage, reason: string): Promise<void> {
    this.logger.warn(`dead-lettering ${message.topic}[${message.partition}]@${message.offset}: ${reason}`);
    await this.publisher.publish([
      {
        topic: this.config.broker.kafka.dlqTopic,
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DLQ_ERROR_HEADER]: reason,
          [DLQ_SOURCE_HEADERS.topic]: message.topic,
          [DLQ_SOURCE_HEADERS.partition]: String(message.partition),
          [DLQ_SOURCE_HEADERS.offset]: message.offset,
          [DLQ_SOURCE_HEADERS.consumer]: SAGA_INBOX_CONSUMER,
        },
      },
    ]);
    this.metrics?.deadLettered();
  }
}
