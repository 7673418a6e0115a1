import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { MalformedEnvelopeError, parseEnvelope, type EventEnvelope } from '@oms/contracts';
import {
  Clock,
  ConcurrencyError,
  Inbox,
  MessageConsumer,
  MessagePublisher,
  SagaStore,
  UnitOfWork,
  type ConsumerHandle,
  type ReceivedMessage,
  type SagaKind,
} from '@oms/domain';
import { SpanKind, TRACEPARENT, inSpan, type Span } from '@oms/observability';
import { SagaMetrics } from './saga-metrics';
import { SAGA_INBOX_CONSUMER } from './saga-policy';
import { SagaRunner } from './saga-runner';
import { ORDER_ID_ATTRIBUTE, SAGA_ID_ATTRIBUTE } from './saga-step';

/** The events that start or wake a saga, and the saga kind each one starts. */
const TRIGGERS: ReadonlyMap<string, SagaKind> = new Map([
  ['OrderPaymentRequested', 'fulfilment'],
  ['OrderCancellationRequested', 'cancellation'],
  ['OrderRefundRequested', 'refund'],
]);

/** Dead-letter headers: why and where from, next to the original CloudEvents headers. */
export const DLQ_ERROR_HEADER = 'oms_error';
export const DLQ_SOURCE_HEADERS = { topic: 'oms_source_topic', partition: 'oms_source_partition', offset: 'oms_source_offset', consumer: 'oms_consumer' } as const;

/**
 * Consumes order events (consumer group config.saga.consumerGroup) and turns them into sagas:
 * OrderPaymentRequested starts a fulfilment saga, OrderCancellationRequested wakes the saga
 * it names (the fulfilment saga compensates) or starts a cancellation saga, and
 * OrderRefundRequested starts a refund saga. Dedup by event id through the inbox, written in
 * the same commit as the new saga. A malformed message is dead-lettered and acknowledged: it
 * never crashes the consumer nor blocks its partition. Infrastructure errors propagate, so
 * the broker redelivers the message.
 */
@Injectable()
export class OrderEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OrderEventsConsumer.name);
  private handle?: ConsumerHandle;

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly consumer: MessageConsumer,
    private readonly publisher: MessagePublisher,
    private readonly inbox: Inbox,
    private readonly sagas: SagaStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly runner: SagaRunner,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: SagaMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    if (this.handle) return;
    this.handle = await this.consumer.subscribe({
      groupId: this.config.saga.consumerGroup,
      topics: [this.config.broker.kafka.ordersTopic],
      handle: (message) => this.onMessage(message),
    });
  }

  /** Stops consuming (the message in hand finishes), then lets running saga steps finish. */
  async stop(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.stop();
    await this.runner.stop();
  }

  /**
   * Handles one message; resolves once it may be acknowledged. Runs in a span continuing the
   * message's `traceparent` (the relay's publish span), so the saga steps it starts join the
   * trace of the request that wrote the event.
   */
  onMessage(message: ReceivedMessage): Promise<void> {
    return inSpan(
      `${message.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        traceparent: message.headers[TRACEPARENT],
        attributes: {
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.kafka.message.key': message.key,
          [ORDER_ID_ATTRIBUTE]: message.key,
        },
      },
      (span) => this.process(message, span),
    );
  }

  private async process(message: ReceivedMessage, span: Span): Promise<void> {
    let envelope: EventEnvelope;
    let trigger: { kind: SagaKind; sagaId: string } | null;
    try {
      envelope = parseEnvelope(message.value);
      trigger = triggerOf(envelope);
    } catch (error) {
      if (error instanceof MalformedEnvelopeError) return this.deadLetter(message, error.message);
      throw error;
    }
    if (trigger === null) return;
    span.setAttributes({ [SAGA_ID_ATTRIBUTE]: trigger.sagaId, 'messaging.message.id': envelope.eventId });
    if (await this.inbox.has(SAGA_INBOX_CONSUMER, envelope.eventId)) return;
    const entry = { consumer: SAGA_INBOX_CONSUMER, messageId: envelope.eventId };

    if (trigger.kind === 'cancellation' && (await this.sagas.get(trigger.sagaId)) !== null) {
      // A cancellation during fulfilment names the fulfilment saga: wake it, it compensates.
      await this.recordHandled(entry);
      void this.runner.drive(trigger.sagaId);
      return;
    }
    await this.runner.startAndDrive(trigger.kind, trigger.sagaId, envelope.orderId, entry);
  }

  private async recordHandled(entry: { consumer: string; messageId: string }): Promise<void> {
    try {
      await this.unitOfWork.commit({ inbox: entry }, this.clock.now());
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error; // already recorded by a redelivery
    }
  }

  private async deadLetter(message: ReceivedMessage, reason: string): Promise<void> {
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

/** The saga an event asks for, or null for events sagas do not react to. */
function triggerOf(envelope: EventEnvelope): { kind: SagaKind; sagaId: string } | null {
  const kind = TRIGGERS.get(envelope.type);
  if (kind === undefined) return null;
  const sagaId = (envelope.data as Record<string, unknown>)['sagaId'];
  if (typeof sagaId !== 'string' || sagaId.length === 0) {
    throw new MalformedEnvelopeError(`${envelope.type} event ${envelope.eventId} has no data.sagaId`);
  }
  return { kind, sagaId };
}
