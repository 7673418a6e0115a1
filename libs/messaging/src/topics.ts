import { DEAD_LETTER_TOPIC, ORDER_EVENTS_TOPIC } from '@oms/contracts';

/** A broker topic as OMS needs it. The memory broker and the Kafka admin command read the same list. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** How long the broker keeps a message (Kafka `retention.ms`). */
  readonly retentionMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Every topic of OMS, declared once. Order events keep a week so a consumer group can be
 * rebuilt after a long outage; dead letters keep two weeks for `dlq-reprocess`.
 */
export const OMS_TOPICS: readonly TopicSpec[] = Object.freeze([
  Object.freeze({ name: ORDER_EVENTS_TOPIC, partitions: 12, retentionMs: 7 * DAY_MS }),
  Object.freeze({ name: DEAD_LETTER_TOPIC, partitions: 3, retentionMs: 14 * DAY_MS }),
]);

/** Topic names an installation may override (OMS_KAFKA_ORDERS_TOPIC, OMS_KAFKA_DLQ_TOPIC). */
export interface TopicNames {
  readonly ordersTopic: string;
  readonly dlqTopic: string;
}

/** OMS_TOPICS under the configured names; partitions and retention stay as declared. */
export function omsTopics(names: TopicNames): TopicSpec[] {
  const rename: Record<string, string> = {
    [ORDER_EVENTS_TOPIC]: names.ordersTopic,
    [DEAD_LETTER_TOPIC]: names.dlqTopic,
  };
  return OMS_TOPICS.map((topic) => ({ ...topic, name: rename[topic.name] ?? topic.name }));
}
