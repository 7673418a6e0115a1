export * from './topics';
export * from './memory/memory-broker';
export * from './messaging-driver';
export * from './messaging.module';
export { createKafkaClient, createKafkaDriver, createOmsKafkaTopics, type KafkaDriverOptions } from './kafka/kafka-driver';
export { checkKafkaTopics, ensureKafkaTopics, MissingTopicsError } from './kafka/kafka-topics';
export { KafkaStartupError } from './kafka/kafka-startup.errors';
export type { KafkaConsumerOptions } from './kafka/kafka-consumer';
export type { KafkaPublisherOptions } from './kafka/kafka-publisher';
