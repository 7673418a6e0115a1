// The messaging contract suite: every MessagePublisher / MessageConsumer driver runs it.
// (Brokers for Kafka tests come from @oms/testing: testKafka, startKafkaMock, startKafkaProxy.)
export * from './contract/message-broker.contract';
