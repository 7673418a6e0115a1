// Test infrastructure shared by integration tests: services from OMS_TEST_* or Testcontainers, config builders.
export { propertySettings, testVariable, type TestVariable } from './test-env';
export { containerRuntimeAvailable } from './container-runtime';
export { DEFAULT_TEST_POSTGRES_DSN, createTestDatabase, testPostgresServer, type TestDatabase } from './postgres.testing';
export { testKafkaBrokers } from './kafka.testing';
export { postgresTestConfig, testConfig } from './config.testing';
export { createTestCertificates, type TestCertificates, type TestKeyPair } from './tls.testing';
