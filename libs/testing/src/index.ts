// Test infrastructure shared by integration tests: services from OMS_TEST_* or Testcontainers
// (or the repo's own Kafka-protocol broker), certificates, config builders.
export { propertySettings, testVariable, type TestVariable } from './test-env';
export { containerRuntimeAvailable } from './container-runtime';
export { freePort } from './free-port';
export { DEFAULT_TEST_POSTGRES_DSN, createTestDatabase, testPostgresServer, type TestDatabase } from './postgres.testing';
export { testKafka, type TestKafka } from './kafka.testing';
export { kafkaMockUnavailable, startKafkaMock, type KafkaMock, type KafkaMockOptions, type KafkaTopic } from './kafka-mock.testing';
export { selfSignedCertificate, testPki, type TestKeyPair, type TestPki } from './tls.testing';
export { postgresTestConfig, testConfig } from './config.testing';
export { startKafkaProxy, SASL_MECHANISM_NAMES, type KafkaProxy, type KafkaProxyOptions, type SaslMechanismName } from './kafka-proxy.testing';
