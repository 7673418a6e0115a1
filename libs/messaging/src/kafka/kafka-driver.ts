import { Logger } from '@nestjs/common';
import type { OmsConfig } from '@oms/config';
import type { MessagingDriver } from '../messaging-driver';
import { omsTopics } from '../topics';
import { KafkaConsumer, type KafkaConsumerOptions } from './kafka-consumer';
import { createKafkaClient } from './kafka-client';
import { KafkaPublisher, type KafkaPublisherOptions } from './kafka-publisher';
import { brokersUnreachable, idempotenceUnavailable } from './kafka-startup.errors';
import { checkKafkaTopics } from './kafka-topics';

export interface KafkaDriverOptions {
  /** Check at start that the OMS topics exist (default true); contract tests bring their own. */
  readonly checkTopics?: boolean;
  readonly consumer?: KafkaConsumerOptions;
  readonly publisher?: Partial<KafkaPublisherOptions>;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

type BrokerConfig = Pick<OmsConfig, 'broker'>;

/**
 * The Kafka driver: one kafkajs client, an idempotent (configurable) acks=all producer and
 * consumer groups. Fails start-up when a broker cannot be reached, an OMS topic is missing or
 * the idempotent producer cannot start, each with a message naming the setting to look at.
 */
export async function createKafkaDriver(config: BrokerConfig, options: KafkaDriverOptions = {}): Promise<MessagingDriver> {
  const { brokers, idempotent, producer, consumer: tuning } = config.broker.kafka;
  const kafka = createKafkaClient(config, options);
  const admin = kafka.admin();
  await admin.connect().catch((error: unknown) => Promise.reject(brokersUnreachable(brokers, error)));
  const publisher = new KafkaPublisher(kafka, { idempotent, batchSize: producer.batchSize, batchBytes: producer.batchBytes, ...options.publisher });
  try {
    if (options.checkTopics ?? true) {
      const warnings = await checkKafkaTopics(admin, omsTopics(config.broker.kafka));
      for (const warning of warnings) new Logger('Kafka').warn(warning);
    }
    // The producer's connect asks for a producer id when idempotent: a broker without support fails here, not at every publish.
    if (idempotent) await publisher.connect().catch((error: unknown) => Promise.reject(idempotenceUnavailable(brokers, error)));
  } catch (error) {
    await publisher.close().catch(() => undefined);
    await admin.disconnect();
    throw error;
  }
  const consumer = new KafkaConsumer(kafka, {
    maxInFlight: tuning.maxInFlight,
    maxBytes: tuning.fetchMaxBytes,
    maxBytesPerPartition: tuning.partitionFetchMaxBytes,
    maxWaitTimeMs: tuning.fetchMaxWaitMs,
    redeliveryDelayMs: tuning.retryDelayMs,
    maxRedeliveryDelayMs: tuning.maxRetryDelayMs,
    sessionTimeoutMs: tuning.sessionTimeoutMs,
    heartbeatIntervalMs: tuning.heartbeatIntervalMs,
    rebalanceTimeoutMs: tuning.rebalanceTimeoutMs,
    ...options.consumer,
  });
  return {
    driver: 'kafka',
    publisher,
    consumer,
    subscriptions: () => consumer.subscriptions(),
    async consumerLag(groupId, topic) {
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const done = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      return ends.map((end) => {
        const position = done.get(end.partition) ?? -1;
        // -1: the group never committed on this partition, so everything retained is behind.
        const from = position < 0 ? Number(end.low) : position;
        return { partition: end.partition, lag: Math.max(0, Number(end.high) - from) };
      });
    },
    async ping() {
      await admin.describeCluster();
    },
    async close() {
      await consumer.close();
      await publisher.close();
      await admin.disconnect();
    },
  };
}
