/**
 * The only place tests read the environment: OMS_TEST_* variables name external services
 * for integration tests (CI sets them; a developer machine may rely on Testcontainers);
 * OMS_PROPERTY_* steer the property-based suites.
 */
export type TestVariable = 'OMS_TEST_POSTGRES_DSN' | 'OMS_TEST_KAFKA_BROKERS' | 'OMS_PROPERTY_SEED' | 'OMS_PROPERTY_RUNS';

export function testVariable(name: TestVariable): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

/** The fixed seed (default 20261129) and run count (default 100) of the property-based suites. */
export function propertySettings(): { readonly seed: number; readonly runs: number } {
  const seed = Number(testVariable('OMS_PROPERTY_SEED') ?? 20_261_129);
  const runs = Number(testVariable('OMS_PROPERTY_RUNS') ?? 100);
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(runs) || runs < 1) {
    throw new Error('OMS_PROPERTY_SEED must be an integer and OMS_PROPERTY_RUNS a positive integer');
  }
  return { seed, runs };
}
