/**
 * The only place tests read the environment: OMS_TEST_* variables name external services
 * for integration tests (CI sets them; a developer machine may rely on Testcontainers).
 */
export type TestVariable = 'OMS_TEST_POSTGRES_DSN' | 'OMS_TEST_KAFKA_BROKERS';

export function testVariable(name: TestVariable): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}
