import { Inject, Injectable } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { eventTypeOfCeType } from '@oms/contracts';
import { MessageConsumer, isUnavailableError } from '@oms/domain';
import { SagaDeadLetters } from '../saga-dead-letters';
import { FirstCallNotRecordedError } from '../saga-runner';
import { ORDER_ID_ATTRIBUTE, SAGA_ID_ATTRIBUTE } from '../saga-step';
import { BrokerTransport } from './broker.transport';

/**
 * The saga orchestrator's transport: order events of config.broker.kafka.ordersTopic in
 * consumer group config.saga.consumerGroup; malformed ones, and ones whose handler failed
 * OMS_KAFKA_CONSUMER_MAX_RETRIES retries (unavailability not counted), dead-lettered by SagaDeadLetters.
 * Apps connect it: `app.connectMicroservice({ strategy: app.get(SagaEventsTransport) })`.
 */
@Injectable()
export class SagaEventsTransport extends BrokerTransport {
  constructor(@Inject(OMS_CONFIG) config: OmsConfig, consumer: MessageConsumer, deadLetters: SagaDeadLetters) {
    super(consumer, {
      groupId: config.saga.consumerGroup,
      topics: [config.broker.kafka.ordersTopic],
      deadLetter: (message, reason, retries) => deadLetters.publish(message, reason, retries),
      maxRetries: config.broker.kafka.consumer.maxRetries,
      // Retried without counting: a start whose partner call happened must not be dead-lettered.
      isUnavailable: (error) => error instanceof FirstCallNotRecordedError || isUnavailableError(error),
      spanAttributes: (message) => ({ [ORDER_ID_ATTRIBUTE]: message.key }),
      declaredType: (headers) => eventTypeOfCeType(headers['ce_type']),
      envelopeSpanAttributes: (envelope): Record<string, string> => {
        const sagaId = (envelope.data as Record<string, unknown>)['sagaId'];
        return typeof sagaId === 'string' ? { [SAGA_ID_ATTRIBUTE]: sagaId } : {};
      },
    });
  }
}
