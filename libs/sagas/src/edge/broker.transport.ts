import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { MalformedEnvelopeError, parseEnvelope, type EventEnvelope } from '@oms/contracts';
import { errorMessage, isUnavailableError, type ConsumerHandle, type FailurePolicy, type MessageConsumer, type ReceivedMessage } from '@oms/domain';
import { SpanKind, TRACEPARENT, inSpan, type Span } from '@oms/observability';
import { lastValueFrom } from 'rxjs';
import { BrokerMessageContext } from './broker-message.context';

export interface BrokerTransportOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Where a message goes that is not a valid envelope (or that a handler finds malformed: at once,
   * `retries` 0) or whose handler kept failing (after `maxRetries` retries); it is then acknowledged.
   */
  readonly deadLetter: (message: ReceivedMessage, reason: string, retries?: number) => Promise<void>;
  /**
   * Retries of a message whose handler keeps failing before it is dead-lettered (the consumer
   * driver pauses between them); absent = retried until handled.
   */
  readonly maxRetries?: number;
  /** Failures that are not the message's fault, retried without counting (default: storage unavailable). */
  readonly isUnavailable?: (error: unknown) => boolean;
  /** Extra attributes of the consumer span of each message, from the message and, once parsed, its envelope. */
  readonly spanAttributes?: (message: ReceivedMessage) => Record<string, string>;
  readonly envelopeSpanAttributes?: (envelope: EventEnvelope) => Record<string, string>;
  /**
   * The event type a message's headers declare (the CloudEvents `ce_type`), if any. A message
   * whose declared type has no handler is acknowledged without parsing its body or opening a
   * span: most of a topic's events concern no handler here.
   */
  readonly declaredType?: (headers: Readonly<Record<string, string>>) => string | undefined;
}

/** Event types whose handler lookup is kept: far more than any topic's catalog. */
const MAX_CACHED_TYPES = 256;

type EventHandler = NonNullable<ReturnType<Server['getHandlerByPattern']>>;

/**
 * A Nest transport over the MessageConsumer port, so `@EventPattern(<event type>)` handlers run
 * on every broker driver (memory, Kafka). It subscribes with the group and topics it is given
 * and hands the consumer one function per message that resolves only when the message may be
 * acknowledged: the envelope is parsed, the handler of its event type runs, and its promise or
 * observable is awaited. So the driver's guarantees hold as its contract suite states them:
 * per-key order, bounded in-flight work, a commit point that never passes an unhandled message.
 *
 * - no handler for the event type: acknowledged and ignored (unparsed when its headers declare
 *   the type, so a malformed body of a type nobody here handles is not dead-lettered either);
 * - not an envelope, or a handler throwing MalformedEnvelopeError: dead-lettered, acknowledged;
 * - any other handler error: rethrown, so the driver handles the message again after a pause,
 *   before the next message of its key; with `maxRetries`, the subscription's FailurePolicy
 *   dead-letters it after that many retries and the key moves on, while failures that are an
 *   unavailability (the database unreachable) are retried without counting (ADR 0024).
 */
export class BrokerTransport extends Server implements CustomTransportStrategy {
  private handle?: ConsumerHandle;
  /**
   * Handler by event type, null for none: Nest's own lookup tries each pattern as JSON first, and
   * a failed parse throws. Bounded, since the types come from whatever the topic carries.
   */
  private readonly handlers = new Map<string, EventHandler | null>();

  constructor(
    private readonly consumer: MessageConsumer,
    private readonly options: BrokerTransportOptions,
  ) {
    super();
  }

  override addHandler(...args: Parameters<Server['addHandler']>): void {
    this.handlers.clear();
    super.addHandler(...args);
  }

  /** Subscribes; Nest calls it from startAllMicroservices() / listen(). */
  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      if (!this.handle) {
        this.handle = await this.consumer.subscribe({
          groupId: this.options.groupId,
          topics: [...this.options.topics],
          handle: (message) => this.handleMessage(message),
          ...(this.options.maxRetries === undefined ? {} : { onFailure: this.failurePolicy(this.options.maxRetries) }),
        });
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops consuming: resolves once the messages in hand are handled (idempotent). */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.stop();
  }

  on(): never {
    throw new Error('BrokerTransport emits no events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /**
   * Handles one message; resolves once it may be acknowledged. Runs in a consumer span that
   * continues the message's `traceparent`, so the handler's work joins the writer's trace.
   */
  handleMessage(message: ReceivedMessage): Promise<void> {
    const declared = this.options.declaredType?.(message.headers);
    if (declared !== undefined && this.handlerOf(declared) === null) return Promise.resolve();
    return inSpan(
      `${message.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        traceparent: message.headers[TRACEPARENT],
        attributes: {
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.kafka.message.key': message.key,
          ...this.options.spanAttributes?.(message),
        },
      },
      (span) => this.dispatch(message, span),
    );
  }

  private handlerOf(type: string): EventHandler | null {
    let handler = this.handlers.get(type);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(type) ?? null;
      if (this.handlers.size < MAX_CACHED_TYPES) this.handlers.set(type, handler);
    }
    return handler;
  }

  private failurePolicy(maxRetries: number): FailurePolicy {
    return {
      maxRetries,
      isUnavailable: this.options.isUnavailable ?? isUnavailableError,
      deadLetter: (message, failure) => this.options.deadLetter(message, errorMessage(failure.error), failure.retries),
    };
  }

  private async dispatch(message: ReceivedMessage, span: Span): Promise<void> {
    let envelope: EventEnvelope;
    try {
      envelope = parseEnvelope(message.value);
    } catch (error) {
      if (error instanceof MalformedEnvelopeError) return this.options.deadLetter(message, error.message);
      throw error;
    }
    span.setAttributes({ 'messaging.message.id': envelope.eventId, ...this.options.envelopeSpanAttributes?.(envelope) });
    const handler = this.handlerOf(envelope.type);
    if (handler === null) return;
    try {
      const result = await handler(envelope, new BrokerMessageContext([message]));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error) {
      if (error instanceof MalformedEnvelopeError) return this.options.deadLetter(message, error.message);
      // Unacknowledged: the driver handles it again, then its FailurePolicy dead-letters it.
      throw error;
    }
  }
}

