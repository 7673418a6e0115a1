// The messaging contract suite (every MessagePublisher / MessageConsumer driver runs it), the
// librdkafka mock cluster host for Kafka tests, and the TLS / SASL proxy in front of it.
export * from './contract/message-broker.contract';
export * from './testing/kafka-mock';
export * from './testing/kafka-proxy';
