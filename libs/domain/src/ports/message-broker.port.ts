/** A message on the broker. Headers carry CloudEvents attributes (`ce_*`) and `traceparent`. */
export interface BrokerMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReceivedMessage extends BrokerMessage {
  readonly partition: number;
  readonly offset: string;
}

export class MessageRejectedError extends Error {
  /** The broker refused this message itself (too large, invalid): retrying cannot help. */
  constructor(message: string) {
    super(message);
    this.name = 'MessageRejectedError';
  }
}

export abstract class MessagePublisher {
  /**
   * Resolves once the broker acknowledged every message (acks=all). Messages with the
   * same key keep their order. Throws MessageRejectedError for a message the broker
   * refuses, any other error for an outage (retry).
   */
  abstract publish(messages: readonly BrokerMessage[]): Promise<void>;
}

export interface Subscription {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Called once per message, in order within a partition. The offset is committed only
   * after it resolves; a rejection means the message is handled again (at least once) after a
   * growing pause (capped exponential, with jitter), before any later message of its key.
   */
  readonly handle: (message: ReceivedMessage) => Promise<void>;
  /** What ends the retries of a message whose handler keeps failing; absent = retried until handled. */
  readonly onFailure?: FailurePolicy;
}

/**
 * Bounded retries of a poison message: after the first failure and `maxRetries` retries the
 * message goes to `deadLetter`, and once that resolved it counts as handled: its key moves on
 * and the commit point passes it. A restarted or rebalanced consumer counts again from zero.
 */
export interface FailurePolicy {
  readonly maxRetries: number;
  /**
   * Errors that are not the message's fault (its database is unreachable): retried with the
   * same pauses for as long as they last, never counted, so an outage dead-letters nothing.
   */
  readonly isUnavailable: (error: unknown) => boolean;
  /** Moves the message aside (the dead-letter topic). A rejection is retried after a pause; the message stays unhandled meanwhile. */
  readonly deadLetter: (message: ReceivedMessage, failure: HandlerFailure) => Promise<void>;
}

export interface HandlerFailure {
  /** The error of the last attempt. */
  readonly error: unknown;
  /** Retries made after the first failure (= maxRetries; unavailability failures not counted). */
  readonly retries: number;
}

export interface ConsumerHandle {
  /** Stops fetching, lets the in-flight message finish, leaves the group. */
  stop(): Promise<void>;
}

export abstract class MessageConsumer {
  abstract subscribe(subscription: Subscription): Promise<ConsumerHandle>;
}
