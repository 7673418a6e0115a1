export * from './topics';
export * from './memory/memory-broker';
export * from './messaging-driver';
export * from './messaging-driver.factory';
export * from './messaging.module';
export { createKafkaClient, createKafkaDriver, createOmsKafkaTopics, type KafkaDriverOptions } from './kafka/kafka-driver';
export { checkKafkaTopics, ensureKafkaTopics, MissingTopicsError } from './kafka/kafka-topics';
export type { KafkaConsumerOptions } from './kafka/kafka-consumer';
export type { KafkaPublisherOptions } from './kafka/kafka-publisher';
