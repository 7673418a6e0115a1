// The messaging contract suite (every MessagePublisher / MessageConsumer driver runs it) and
// the librdkafka mock cluster host for Kafka tests.
export * from './contract/message-broker.contract';
export * from './testing/kafka-mock';
