export * from './topics';
export * from './memory/memory-broker';
export * from './messaging-driver';
export * from './messaging-driver.factory';
export * from './messaging.module';
export { createKafkaClient, type KafkaClientOptions } from './kafka/kafka-client';
export { createKafkaDriver, type KafkaDriverOptions } from './kafka/kafka-driver';
export { kafkaSecurityOptions, type KafkaSecurityOptions } from './kafka/kafka-security';
export { checkOmsKafkaTopics, createOmsKafkaTopics, planOmsKafkaTopics, type TopicPlan } from './kafka/kafka-topic-admin';
export {
  checkKafkaTopics,
  checkKafkaTopicSettings,
  createTopicsRequest,
  ensureKafkaTopics,
  MissingTopicsError,
  settingDrifts,
  settingUnknown,
  topicConfigEntries,
  type TopicCheck,
  type TopicSettingCheck,
  type TopicSettingName,
} from './kafka/kafka-topics';
export { KafkaStartupError } from './kafka/kafka-startup.errors';
export type { KafkaConsumerOptions } from './kafka/kafka-consumer';
export type { KafkaPublisherOptions } from './kafka/kafka-publisher';
export { KafkaGroupReader, type GroupReadOptions, type PartitionRange, type RawMessage, type RawRecord } from './kafka/kafka-group-reader';
