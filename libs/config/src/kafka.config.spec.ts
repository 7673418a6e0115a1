import { ConfigError } from './config.error';
import { configSecrets, redactConfig, redactSecrets } from './config.redaction';
import { loadConfig, type ReadFile } from './load-config';

const CA = '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----';
const CERT = '-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN PRIVATE KEY-----\na2Fma2Eta2V5\n-----END PRIVATE KEY-----';
const PASSWORD = 'sasl-pa55word-do-not-print';

function issuesOf(env: Record<string, string>, readFile?: ReadFile): { variable: string; reason: string }[] {
  try {
    loadConfig(env, readFile ? { readFile } : {});
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const DAY = 24 * 3_600_000;

describe('Kafka configuration', () => {
  it('defaults to plaintext without SASL, the declared topic settings and today\'s batching', () => {
    const { kafka } = loadConfig({}).broker;
    expect(kafka.tls).toEqual({ enabled: false, rejectUnauthorized: true });
    expect(kafka.sasl).toBeUndefined();
    expect(kafka.sagaTopic).toBe('oms.saga.events');
    expect(kafka.topics).toEqual({
      orders: { partitions: 12, replicationFactor: 3, retentionMs: 7 * DAY, minInsyncReplicas: 2 },
      dlq: { partitions: 3, replicationFactor: 3, retentionMs: 14 * DAY, minInsyncReplicas: 2 },
      saga: { partitions: 12, replicationFactor: 3, retentionMs: 7 * DAY, minInsyncReplicas: 2 },
    });
    expect(kafka.producer).toEqual({ batchSize: 500, batchBytes: 1024 * 1024 });
    expect(kafka.consumer).toEqual({
      maxInFlight: 64,
      fetchMaxBytes: 10 * 1024 * 1024,
      partitionFetchMaxBytes: 1024 * 1024,
      fetchMaxWaitMs: 250,
      maxRetries: 3,
      retryDelayMs: 200,
      maxRetryDelayMs: 10_000,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      rebalanceTimeoutMs: 30_000,
    });
  });

  it('reads TLS with a client certificate and SASL SCRAM, secrets from files', () => {
    const files: Record<string, string> = { '/s/ca.pem': `${CA}\n`, '/s/key.pem': `${KEY}\n`, '/s/password': `${PASSWORD}\n` };
    const readFile: ReadFile = (path) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return content;
    };
    const { kafka } = loadConfig(
      {
        OMS_KAFKA_TLS_ENABLED: 'true',
        OMS_KAFKA_TLS_CA_FILE: '/s/ca.pem',
        OMS_KAFKA_TLS_CERT: CERT,
        OMS_KAFKA_TLS_KEY_FILE: '/s/key.pem',
        OMS_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        OMS_KAFKA_SASL_USERNAME: 'oms-relay',
        OMS_KAFKA_SASL_PASSWORD_FILE: '/s/password',
      },
      { readFile },
    ).broker;
    expect(kafka.tls).toEqual({ enabled: true, rejectUnauthorized: true, ca: CA, cert: CERT, key: KEY });
    expect(kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'oms-relay', password: PASSWORD });
  });

  it('reads non-default topic settings and batching', () => {
    const { kafka } = loadConfig({
      OMS_KAFKA_ORDERS_PARTITIONS: '48',
      OMS_KAFKA_ORDERS_REPLICATION_FACTOR: '5',
      OMS_KAFKA_ORDERS_RETENTION: '720h',
      OMS_KAFKA_ORDERS_MIN_INSYNC_REPLICAS: '3',
      OMS_KAFKA_DLQ_REPLICATION_FACTOR: '1',
      OMS_KAFKA_DLQ_MIN_INSYNC_REPLICAS: '1',
      OMS_KAFKA_PRODUCER_BATCH_SIZE: '100',
      OMS_KAFKA_PRODUCER_BATCH_BYTES: '256kb',
      OMS_KAFKA_CONSUMER_MAX_IN_FLIGHT: '8',
      OMS_KAFKA_CONSUMER_FETCH_MAX_BYTES: '2mb',
      OMS_KAFKA_CONSUMER_PARTITION_FETCH_MAX_BYTES: '512kb',
      OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT: '20ms',
      OMS_KAFKA_CONSUMER_MAX_RETRIES: '0',
      OMS_KAFKA_CONSUMER_RETRY_DELAY: '1s',
      OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY: '1m',
      OMS_KAFKA_CONSUMER_SESSION_TIMEOUT: '45s',
      OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL: '3s',
      OMS_KAFKA_CONSUMER_REBALANCE_TIMEOUT: '1m',
    }).broker;
    expect(kafka.topics.orders).toEqual({ partitions: 48, replicationFactor: 5, retentionMs: 30 * DAY, minInsyncReplicas: 3 });
    expect(kafka.topics.dlq).toEqual({ partitions: 3, replicationFactor: 1, retentionMs: 14 * DAY, minInsyncReplicas: 1 });
    expect(kafka.producer).toEqual({ batchSize: 100, batchBytes: 256 * 1024 });
    expect(kafka.consumer).toEqual({
      maxInFlight: 8,
      fetchMaxBytes: 2 * 1024 * 1024,
      partitionFetchMaxBytes: 512 * 1024,
      fetchMaxWaitMs: 20,
      maxRetries: 0,
      retryDelayMs: 1_000,
      maxRetryDelayMs: 60_000,
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 3_000,
      rebalanceTimeoutMs: 60_000,
    });
  });

  it('stops start-up with every invalid combination in one error, never echoing a secret', () => {
    let message = '';
    try {
      loadConfig({
        OMS_KAFKA_TLS_CA: CA,
        OMS_KAFKA_TLS_CERT: CERT,
        OMS_KAFKA_TLS_REJECT_UNAUTHORIZED: 'false',
        OMS_KAFKA_SASL_MECHANISM: 'gssapi',
        OMS_KAFKA_SASL_PASSWORD: PASSWORD,
        OMS_KAFKA_ORDERS_MIN_INSYNC_REPLICAS: '4',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('invalid configuration');
    expect(message).not.toContain(PASSWORD);
    expect(
      issuesOf({
        OMS_KAFKA_TLS_CA: CA,
        OMS_KAFKA_TLS_CERT: CERT,
        OMS_KAFKA_TLS_REJECT_UNAUTHORIZED: 'false',
        OMS_KAFKA_SASL_MECHANISM: 'gssapi',
        OMS_KAFKA_SASL_PASSWORD: PASSWORD,
        OMS_KAFKA_ORDERS_MIN_INSYNC_REPLICAS: '4',
      }),
    ).toEqual([
      { variable: 'OMS_KAFKA_SASL_MECHANISM', reason: 'must be one of plain, scram-sha-256, scram-sha-512 (got "gssapi")' },
      { variable: 'OMS_KAFKA_TLS_CA', reason: 'is set but OMS_KAFKA_TLS_ENABLED is not true (set it, or remove this)' },
      { variable: 'OMS_KAFKA_TLS_CERT', reason: 'is set but OMS_KAFKA_TLS_ENABLED is not true (set it, or remove this)' },
      { variable: 'OMS_KAFKA_TLS_REJECT_UNAUTHORIZED', reason: 'is set but OMS_KAFKA_TLS_ENABLED is not true (set it, or remove this)' },
      { variable: 'OMS_KAFKA_TLS_KEY', reason: 'is required when OMS_KAFKA_TLS_CERT is set' },
      { variable: 'OMS_KAFKA_SASL_USERNAME', reason: 'is required when OMS_KAFKA_SASL_MECHANISM is set (set it or OMS_KAFKA_SASL_USERNAME_FILE)' },
      {
        variable: 'OMS_KAFKA_ORDERS_MIN_INSYNC_REPLICAS',
        reason: '(4) must not exceed OMS_KAFKA_ORDERS_REPLICATION_FACTOR (3): no acks=all write could succeed',
      },
    ]);
  });

  it('refuses a first consumer retry delay above the longest one, and a negative or huge retry count', () => {
    expect(issuesOf({ OMS_KAFKA_CONSUMER_RETRY_DELAY: '30s', OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY: '10s' })).toEqual([
      { variable: 'OMS_KAFKA_CONSUMER_RETRY_DELAY', reason: '(30000 ms) must not exceed OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY (10000 ms)' },
    ]);
    expect(issuesOf({ OMS_KAFKA_CONSUMER_MAX_RETRIES: '-1' }).map((issue) => issue.variable)).toEqual(['OMS_KAFKA_CONSUMER_MAX_RETRIES']);
    expect(issuesOf({ OMS_KAFKA_CONSUMER_MAX_RETRIES: '1001' }).map((issue) => issue.variable)).toEqual(['OMS_KAFKA_CONSUMER_MAX_RETRIES']);
  });

  it('refuses a heartbeat above a third of the session timeout', () => {
    expect(issuesOf({ OMS_KAFKA_CONSUMER_SESSION_TIMEOUT: '6s', OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL: '3s' })).toEqual([
      {
        variable: 'OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL',
        reason: '(3000 ms) must be above 0 and at most a third of OMS_KAFKA_CONSUMER_SESSION_TIMEOUT (6000 ms), or a busy member misses its session',
      },
    ]);
    expect(loadConfig({ OMS_KAFKA_CONSUMER_SESSION_TIMEOUT: '10s', OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL: '3s' }).broker.kafka.consumer).toMatchObject({
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 3_000,
    });
  });

  it('refuses a fetch wait of 0 or one above a third of the session timeout (heartbeats go between fetches)', () => {
    expect(issuesOf({ OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT: '2001ms' })).toEqual([
      {
        variable: 'OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT',
        reason: '(2001 ms) must be above 0 and at most a third of OMS_KAFKA_CONSUMER_SESSION_TIMEOUT (6000 ms), or an idle member misses its session',
      },
    ]);
    expect(issuesOf({ OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT: '0ms' }).map((issue) => issue.variable)).toEqual(['OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT']);
    expect(loadConfig({ OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT: '2s' }).broker.kafka.consumer.fetchMaxWaitMs).toBe(2_000);
  });

  it('requires both SASL credentials with a mechanism (and a mechanism with them), and the certificate with a key', () => {
    expect(issuesOf({ OMS_KAFKA_SASL_USERNAME: 'oms', OMS_KAFKA_SASL_PASSWORD: PASSWORD })).toEqual([
      { variable: 'OMS_KAFKA_SASL_USERNAME', reason: 'is set but OMS_KAFKA_SASL_MECHANISM is not (plain, scram-sha-256, scram-sha-512)' },
      { variable: 'OMS_KAFKA_SASL_PASSWORD', reason: 'is set but OMS_KAFKA_SASL_MECHANISM is not (plain, scram-sha-256, scram-sha-512)' },
    ]);
    expect(issuesOf({ OMS_KAFKA_SASL_MECHANISM: 'plain' })).toEqual([
      { variable: 'OMS_KAFKA_SASL_USERNAME', reason: 'is required when OMS_KAFKA_SASL_MECHANISM is set (set it or OMS_KAFKA_SASL_USERNAME_FILE)' },
      { variable: 'OMS_KAFKA_SASL_PASSWORD', reason: 'is required when OMS_KAFKA_SASL_MECHANISM is set (set it or OMS_KAFKA_SASL_PASSWORD_FILE)' },
    ]);
    expect(issuesOf({ OMS_KAFKA_TLS_ENABLED: 'true', OMS_KAFKA_TLS_KEY: KEY })).toEqual([
      { variable: 'OMS_KAFKA_TLS_CERT', reason: 'is required when OMS_KAFKA_TLS_KEY is set' },
    ]);
  });

  it('keeps the SASL password and the client key out of printed config, logs and errors', () => {
    const config = loadConfig({
      OMS_KAFKA_TLS_ENABLED: 'true',
      OMS_KAFKA_TLS_CERT: CERT,
      OMS_KAFKA_TLS_KEY: KEY,
      OMS_KAFKA_SASL_MECHANISM: 'plain',
      OMS_KAFKA_SASL_USERNAME: 'oms',
      OMS_KAFKA_SASL_PASSWORD: PASSWORD,
    });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain(PASSWORD);
    expect(printed).not.toContain('a2Fma2Eta2V5');
    expect(redactConfig(config).broker.kafka.sasl).toEqual({ mechanism: 'plain', username: 'oms', password: '***' });
    expect(configSecrets(config)).toEqual([KEY, PASSWORD]);
    expect(redactSecrets(`SASL PLAIN failed for oms/${PASSWORD}`, configSecrets(config))).toBe('SASL PLAIN failed for oms/***');
    // The original keeps the real value for the client.
    expect(config.broker.kafka.sasl?.password).toBe(PASSWORD);
  });
});
