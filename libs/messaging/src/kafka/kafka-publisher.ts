import { MessageRejectedError, type BrokerMessage, type MessagePublisher } from '@oms/domain';
import { Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { messageSize } from '../message-size';
import { errorText, isBrokerRejection } from './kafka-errors';

export interface KafkaPublisherOptions {
  /** Idempotent producer (OMS_KAFKA_IDEMPOTENT); the librdkafka mock cluster lacks it. */
  readonly idempotent: boolean;
  /** Largest message sent, key + value + headers (default 1 MiB, the broker's default limit). */
  readonly maxMessageBytes?: number;
  /** How long the leader waits for all in-sync replicas (acks=all) before failing the request. */
  readonly ackTimeoutMs?: number;
  /** Most messages in one produce request (OMS_KAFKA_PRODUCER_BATCH_SIZE; default: all of a publish). */
  readonly batchSize?: number;
  /** Most bytes in one produce request (OMS_KAFKA_PRODUCER_BATCH_BYTES; default: no limit). */
  readonly batchBytes?: number;
}

/**
 * Publishes with acks=all and the Java-compatible key partitioner, so one order's events
 * share a partition. Resolves only when every message was acknowledged; a message the broker
 * refuses as such becomes MessageRejectedError, anything else (an outage) is rethrown as is.
 * A publish larger than batchSize / batchBytes goes as several produce requests, each sent
 * once the previous one was acknowledged, so one key's messages keep their order.
 */
export class KafkaPublisher implements MessagePublisher {
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;
  private readonly maxMessageBytes: number;

  constructor(
    kafka: Kafka,
    private readonly options: KafkaPublisherOptions,
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
    this.producer = kafka.producer({
      idempotent: options.idempotent,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded retries (also when idempotent): an outage must surface so the caller backs off and can stop.
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
  }

  async publish(messages: readonly BrokerMessage[]): Promise<void> {
    if (messages.length === 0) return;
    for (const message of messages) {
      const size = messageSize(message);
      // Refused before sending, like the Java client's max.request.size: this message can never fit.
      if (size > this.maxMessageBytes) {
        throw new MessageRejectedError(
          `message for key "${message.key}" on ${message.topic} is ${size} bytes, above the limit of ${this.maxMessageBytes}`,
        );
      }
    }
    await this.connect();
    for (const batch of produceBatches(messages, this.options.batchSize ?? Infinity, this.options.batchBytes ?? Infinity)) {
      await this.send(batch);
    }
  }

  private async send(messages: readonly BrokerMessage[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push({ key: message.key, value: message.value, headers: { ...message.headers } });
      byTopic.set(message.topic, list);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1, timeout: this.options.ackTimeoutMs ?? 30_000 });
    } catch (error) {
      if (isBrokerRejection(error)) throw new MessageRejectedError(`broker refused the message: ${errorText(error)}`);
      throw error;
    }
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (!connecting) return;
    await connecting.catch(() => undefined);
    await this.producer.disconnect();
  }

  /** Connects the producer (an idempotent one also gets its producer id); publish connects on its own too. */
  connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      // Let the next publish try again instead of failing forever.
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }
}

/** Splits messages, in order, into runs of at most `maxCount` messages and `maxBytes` bytes (a larger message alone). */
export function produceBatches(messages: readonly BrokerMessage[], maxCount: number, maxBytes: number): BrokerMessage[][] {
  const batches: BrokerMessage[][] = [];
  let current: BrokerMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageSize(message);
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
