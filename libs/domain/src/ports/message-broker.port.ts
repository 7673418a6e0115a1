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
   * after it resolves; a rejection means the message is delivered again (at least once).
   */
  readonly handle: (message: ReceivedMessage) => Promise<void>;
}

export interface ConsumerHandle {
  /** Stops fetching, lets the in-flight message finish, leaves the group. */
  stop(): Promise<void>;
}

export abstract class MessageConsumer {
  abstract subscribe(subscription: Subscription): Promise<ConsumerHandle>;
}
