import { loadConfig, type OmsConfig } from '@oms/config';

/** A valid OmsConfig for tests: defaults plus the given OMS_* variables (validated like production). */
export function testConfig(variables: Readonly<Record<string, string>> = {}, appName = 'test'): OmsConfig {
  return loadConfig(variables, { appName });
}

/** Config of a process using PostgreSQL storage at `dsn`. */
export function postgresTestConfig(dsn: string, variables: Readonly<Record<string, string>> = {}): OmsConfig {
  return testConfig({ OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: dsn, ...variables });
}
