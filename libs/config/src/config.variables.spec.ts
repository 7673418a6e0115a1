import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA } from './config.schema';
import { configVariables, renderConfigurationDoc } from './config.variables';

const DOC_PATH = join(__dirname, '../../../docs/configuration.md');

describe('configVariables', () => {
  const variables = configVariables();

  it('lists every schema variable once, with a description', () => {
    expect(variables.map((variable) => variable.name)).toEqual(Object.keys(CONFIG_SCHEMA));
    expect(new Set(variables.map((variable) => variable.name)).size).toBe(variables.length);
    for (const variable of variables) expect(variable.description.length).toBeGreaterThan(10);
  });

  it('names the Go OMS variables with their defaults', () => {
    const byName = new Map(variables.map((variable) => [variable.name, variable]));
    expect(byName.get('OMS_HTTP_ADDR')?.default).toBe(':8080');
    expect(byName.get('OMS_GRPC_ADDR')?.default).toBe(':50051');
    expect(byName.get('OMS_METRICS_ADDR')?.default).toBe(':9090');
    expect(byName.get('OMS_IDEMPOTENCY_CLEANUP_INTERVAL')?.default).toBe('10m');
    expect(byName.get('OMS_SERVICE_NAME')?.default).toBe('the app name');
    expect(byName.get('KAFKA_BROKERS')?.default).toBeUndefined();
  });

  it('marks the DSN, TLS keys, SASL password and admin token as secret and offers _FILE for secrets and certificates', () => {
    expect(variables.filter((variable) => variable.secret).map((variable) => variable.name)).toEqual([
      'OMS_GRPC_TLS_KEY',
      'OMS_POSTGRES_DSN',
      'OMS_KAFKA_TLS_KEY',
      'OMS_KAFKA_SASL_PASSWORD',
      'OMS_ADMIN_TOKEN',
    ]);
    expect(variables.flatMap((variable) => variable.fileVariable ?? [])).toEqual([
      'OMS_GRPC_TLS_CERT_FILE',
      'OMS_GRPC_TLS_KEY_FILE',
      'OMS_GRPC_TLS_CLIENT_CA_FILE',
      'OMS_POSTGRES_DSN_FILE',
      'OMS_KAFKA_TLS_CA_FILE',
      'OMS_KAFKA_TLS_CERT_FILE',
      'OMS_KAFKA_TLS_KEY_FILE',
      'OMS_KAFKA_SASL_USERNAME_FILE',
      'OMS_KAFKA_SASL_PASSWORD_FILE',
      'OMS_ADMIN_TOKEN_FILE',
    ]);
  });
});

describe('docs/configuration.md', () => {
  it('is generated from the schema and up to date', () => {
    const expected = renderConfigurationDoc();
    if (process.env['OMS_WRITE_CONFIG_DOC'] === '1') writeFileSync(DOC_PATH, expected);
    const actual = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, 'utf8') : '';
    if (actual !== expected) {
      console.error(
        'docs/configuration.md is stale: run OMS_WRITE_CONFIG_DOC=1 npx jest -c libs/config/jest.config.cjs config.variables',
      );
    }
    expect(actual).toBe(expected);
    for (const variable of configVariables()) expect(actual).toContain(`\`${variable.name}\``);
  });
});
