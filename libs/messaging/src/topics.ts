import { loadConfig, type KafkaTopicSettings, type OmsConfig } from '@oms/config';

/** A broker topic as OMS needs it. The memory broker and the Kafka admin commands read the same list. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** How long the broker keeps a message (Kafka `retention.ms`). */
  readonly retentionMs: number;
  /** Absent = the cluster's default.replication.factor. */
  readonly replicationFactor?: number;
  /** Kafka `min.insync.replicas`; absent = the cluster's default. */
  readonly minInsyncReplicas?: number;
}

/** What the topic list is built from: the configured names and settings (OMS_KAFKA_*). */
export type TopicDeclarations = Pick<OmsConfig['broker']['kafka'], 'ordersTopic' | 'dlqTopic' | 'sagaTopic' | 'topics'>;

const spec = (name: string, settings: KafkaTopicSettings): TopicSpec =>
  Object.freeze({
    name,
    partitions: settings.partitions,
    retentionMs: settings.retentionMs,
    replicationFactor: settings.replicationFactor,
    minInsyncReplicas: settings.minInsyncReplicas,
  });

/**
 * Every topic of OMS, declared once: order events, dead letters, saga lifecycle events, each
 * under its configured name with its configured settings. Defaults (libs/config/src/kafka.config.ts):
 * order and saga events keep a week so a consumer group can be rebuilt after a long outage;
 * dead letters keep two weeks for reprocessing.
 */
export function omsTopics(declared: TopicDeclarations): TopicSpec[] {
  return [
    spec(declared.ordersTopic, declared.topics.orders),
    spec(declared.dlqTopic, declared.topics.dlq),
    spec(declared.sagaTopic, declared.topics.saga),
  ];
}

/** The OMS topics under the default configuration (tests, the mock cluster, the memory broker). */
export const OMS_TOPICS: readonly TopicSpec[] = Object.freeze(omsTopics(loadConfig({}).broker.kafka));
