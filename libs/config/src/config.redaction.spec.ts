import { loadConfig } from './load-config';
import { configSecrets, redactConfig, redactSecrets } from './config.redaction';

const KEY = '-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleQ==\n-----END RSA PRIVATE KEY-----';
const CERT = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----';

describe('redactSecrets', () => {
  it('masks URL passwords and keeps user, host and database', () => {
    expect(redactSecrets('connect postgres://oms:s3cret@db:5432/oms failed')).toBe(
      'connect postgres://oms:***@db:5432/oms failed',
    );
  });

  it('masks libpq password pairs, quoted or not', () => {
    expect(redactSecrets("host=db password=s3cret user=oms")).toBe('host=db password=*** user=oms');
    expect(redactSecrets("host=db password='s3 cret' user=oms")).toBe('host=db password=*** user=oms');
  });

  it('removes PEM private keys and keeps certificates', () => {
    const text = `key ${KEY} cert ${CERT}`;
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain('c2VjcmV0LWtleQ');
    expect(redacted).toContain('[REDACTED PRIVATE KEY]');
    expect(redacted).toContain(CERT);
  });

  it('masks known secret values wherever they appear', () => {
    expect(redactSecrets('token is abcd1234 here', ['abcd1234', undefined])).toBe('token is *** here');
  });
});

describe('redactConfig and configSecrets', () => {
  const config = loadConfig({
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: 'postgres://oms:p%40ss@db:5432/oms',
    OMS_GRPC_TLS_CERT: CERT,
    OMS_GRPC_TLS_KEY: KEY,
    OMS_ADMIN_TOKEN: 'admin-token-secret-0123',
  });

  it('prints no DSN password, TLS key or admin token', () => {
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('p%40ss');
    expect(printed).not.toContain('c2VjcmV0LWtleQ');
    expect(redactConfig(config).storage.postgres.dsn).toBe('postgres://oms:***@db:5432/oms');
    expect(redactConfig(config).grpc.tls.key).toBe('***');
    expect(redactConfig(config).grpc.tls.cert).toBe(CERT);
    expect(printed).not.toContain('admin-token-secret');
    expect(redactConfig(config).admin.token).toBe('***');
  });

  it('leaves the original untouched and unset secrets absent', () => {
    expect(config.storage.postgres.dsn).toBe('postgres://oms:p%40ss@db:5432/oms');
    expect(redactConfig(loadConfig({})).grpc.tls).toEqual({});
  });

  it('lists the secret values, including the decoded DSN password', () => {
    expect(configSecrets(config)).toEqual(['postgres://oms:p%40ss@db:5432/oms', 'p@ss', KEY, 'admin-token-secret-0123']);
    expect(redactSecrets('auth failed for p@ss', configSecrets(config))).toBe('auth failed for ***');
  });
});
