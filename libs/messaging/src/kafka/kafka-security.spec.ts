import { loadConfig } from '@oms/config';
import { kafkaSecurityOptions } from './kafka-security';

const CA = '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----';
const CERT = '-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----';

const kafkaOf = (env: Record<string, string>) => loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: 'b-1:9096', ...env }).broker.kafka;

describe('kafkaSecurityOptions: the kafkajs ssl / sasl options built from OMS_KAFKA_*', () => {
  it('adds nothing for a plaintext cluster without SASL', () => {
    expect(kafkaSecurityOptions(kafkaOf({}))).toEqual({});
  });

  it('turns on TLS with the system trust store when no CA is given', () => {
    expect(kafkaSecurityOptions(kafkaOf({ OMS_KAFKA_TLS_ENABLED: 'true' }))).toEqual({ ssl: { rejectUnauthorized: true } });
  });

  it('passes the CA, the client certificate and key (mutual TLS) and an explicit rejectUnauthorized', () => {
    const options = kafkaSecurityOptions(
      kafkaOf({
        OMS_KAFKA_TLS_ENABLED: 'true',
        OMS_KAFKA_TLS_CA: CA,
        OMS_KAFKA_TLS_CERT: CERT,
        OMS_KAFKA_TLS_KEY: KEY,
        OMS_KAFKA_TLS_REJECT_UNAUTHORIZED: 'false',
      }),
    );
    expect(options).toEqual({ ssl: { rejectUnauthorized: false, ca: [CA], cert: CERT, key: KEY } });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])('passes SASL %s with its credentials, with or without TLS', (mechanism) => {
    const credentials = { OMS_KAFKA_SASL_MECHANISM: mechanism, OMS_KAFKA_SASL_USERNAME: 'api-key', OMS_KAFKA_SASL_PASSWORD: 'api-secret' };
    expect(kafkaSecurityOptions(kafkaOf(credentials))).toEqual({ sasl: { mechanism, username: 'api-key', password: 'api-secret' } });
    expect(kafkaSecurityOptions(kafkaOf({ ...credentials, OMS_KAFKA_TLS_ENABLED: 'true' }))).toEqual({
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism, username: 'api-key', password: 'api-secret' },
    });
  });
});
