import { ConfigError } from './config.error';
import { loadConfig, loadConfigOrExit, parseConfig, type ReadFile } from './load-config';

const noFiles: ReadFile = (path) => {
  throw Object.assign(new Error(`no such file ${path}`), { code: 'ENOENT' });
};

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const KEY = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleQ==\n-----END PRIVATE KEY-----';
const CERT = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----';

describe('loadConfig', () => {
  it('applies the Go OMS defaults to an empty environment', () => {
    const config = loadConfig({}, { appName: 'order-api', readFile: noFiles });

    expect(config.serviceName).toBe('order-api');
    expect(config.logLevel).toBe('info');
    expect(config.http).toEqual({ addr: { host: '0.0.0.0', port: 8080 }, bodyLimitBytes: 1_048_576, requestTimeoutMs: 30_000, trustedProxies: [] });
    expect(config.grpc).toEqual({ addr: { host: '0.0.0.0', port: 50051 }, tls: {} });
    expect(config.metrics.addr).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(config.shutdownTimeoutMs).toBe(25_000);
    expect(config.storage).toEqual({
      driver: 'memory',
      postgres: { autoMigrate: false, poolMax: 20, poolIdleTimeoutMs: 600_000, statementTimeoutMs: 5_000, queryTimeoutMs: 10_000 },
    });
    expect(config.broker).toEqual({
      driver: 'memory',
      kafka: expect.objectContaining({ brokers: [], clientId: 'oms', idempotent: true, ordersTopic: 'oms.order.events', dlqTopic: 'oms.dlq' }),
    });
    // The rest of the Kafka settings (security, topics, batching): kafka.config.spec.ts.
    expect(config.outbox).toEqual({
      pollIntervalMs: 100,
      minRoundIntervalMs: 25,
      batchSize: 500,
      retryDelayMs: 200,
      maxRetryDelayMs: 30_000,
      maxAttempts: 10,
      maxPending: 10_000,
      partitions: 16,
      leaseTtlMs: 10_000,
      retentionMs: 3_600_000,
    });
    expect(config.idempotency).toEqual({
      ttlMs: 86_400_000,
      cleanupIntervalMs: 600_000,
      cleanupBatchSize: 500,
      lockMs: 30_000,
    });
    expect(config.saga).toEqual({
      callTimeoutMs: 2_000,
      maxAttempts: 8,
      retryBaseMs: 100,
      retryMaxMs: 5_000,
      stepDeadlineMs: 60_000,
      sweepIntervalMs: 1_000,
      consumerGroup: 'oms-saga-orchestrator',
    });
    expect(config.partners).toEqual({
      driver: 'in-process',
      inventoryAddr: '127.0.0.1:50061',
      paymentAddr: '127.0.0.1:50061',
      paymentDeclineAboveMinor: 1_000_000,
      latencyMs: 0,
      errorRate: 0,
    });
    expect(config.rateLimit).toEqual({ enabled: false, requestsPerSecond: 100, burst: 200 });
    expect(config.console).toEqual({ enabled: false });
  });

  it('uses "oms" as the service name when no app name is given', () => {
    expect(loadConfig({}).serviceName).toBe('oms');
  });

  it('reads explicit values over the defaults', () => {
    const config = loadConfig({
      OMS_SERVICE_NAME: 'oms-eu',
      LOG_LEVEL: 'debug',
      OMS_HTTP_ADDR: '127.0.0.1:8081',
      OMS_HTTP_BODY_LIMIT: '512kb',
      OMS_METRICS_ADDR: ':0',
      OMS_SHUTDOWN_TIMEOUT: '5s',
      OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
      OMS_IDEMPOTENCY_CLEANUP_BATCH_SIZE: '50',
      OMS_OUTBOX_POLL_INTERVAL: '50ms',
      OMS_PARTNER_ERROR_RATE: '0.1',
      OMS_RATE_LIMIT_ENABLED: '1',
      OMS_CONSOLE_ENABLED: 'true',
    });

    expect(config.serviceName).toBe('oms-eu');
    expect(config.logLevel).toBe('debug');
    expect(config.http.addr).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(config.http.bodyLimitBytes).toBe(524_288);
    expect(config.metrics.addr.port).toBe(0);
    expect(config.shutdownTimeoutMs).toBe(5_000);
    expect(config.idempotency.cleanupIntervalMs).toBe(0);
    expect(config.idempotency.cleanupBatchSize).toBe(50);
    expect(config.outbox.pollIntervalMs).toBe(50);
    expect(config.partners.errorRate).toBe(0.1);
    expect(config.rateLimit.enabled).toBe(true);
    expect(config.console.enabled).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ OMS_HTTP_ADDR: '', LOG_LEVEL: '  ' }).http.addr.port).toBe(8080);
  });

  it('reports every invalid variable in one error', () => {
    const error = errorOf(() =>
      loadConfig({ OMS_HTTP_ADDR: '8080', OMS_OUTBOX_POLL_INTERVAL: '10 seconds', OMS_OUTBOX_BATCH_SIZE: '0' }),
    );

    expect(error.issues.map((issue) => issue.variable)).toEqual([
      'OMS_HTTP_ADDR',
      'OMS_OUTBOX_POLL_INTERVAL',
      'OMS_OUTBOX_BATCH_SIZE',
    ]);
    expect(error.message).toContain('3 problems');
    expect(error.message).toContain('OMS_HTTP_ADDR: must be host:port or :port');
    expect(error.message).toContain('(got "8080")');
    expect(error.message).toContain('OMS_OUTBOX_POLL_INTERVAL: must be a duration');
    expect(error.message).toContain('OMS_OUTBOX_BATCH_SIZE: must be an integer 1..100000');
  });

  it('combines parse errors and conditional errors in the same message', () => {
    const error = errorOf(() =>
      loadConfig({ OMS_STORAGE_DRIVER: 'postgres', OMS_BROKER_DRIVER: 'kafka', LOG_LEVEL: 'loud' }),
    );

    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(['KAFKA_BROKERS', 'LOG_LEVEL', 'OMS_POSTGRES_DSN']);
  });

  it('never echoes a secret value in an error', () => {
    const error = errorOf(() => loadConfig({ OMS_POSTGRES_DSN: 'mysql://root:hunter2@db/oms' }));

    expect(error.message).toContain('OMS_POSTGRES_DSN');
    expect(error.message).not.toContain('hunter2');
  });

  describe('OMS_ADMIN_TOKEN', () => {
    it('is unset by default (the admin API is off) and read from a file without its trailing newline', () => {
      expect(loadConfig({}, { readFile: noFiles }).admin).toEqual({});
      const token = 'file-token-0123456789abcdef';
      const config = loadConfig({ OMS_ADMIN_TOKEN_FILE: '/run/secrets/admin' }, { readFile: () => `${token}\n` });
      expect(config.admin.token).toBe(token);
    });

    it('refuses a short token or one with spaces, never echoing it', () => {
      const short = errorOf(() => loadConfig({ OMS_ADMIN_TOKEN: 'short-secret' }, { readFile: noFiles }));
      expect(short.issues).toEqual([{ variable: 'OMS_ADMIN_TOKEN', reason: 'must be at least 16 characters' }]);
      expect(short.message).not.toContain('short-secret');
      const spaced = errorOf(() => loadConfig({ OMS_ADMIN_TOKEN: 'two words of a long token' }, { readFile: noFiles }));
      expect(spaced.issues).toEqual([{ variable: 'OMS_ADMIN_TOKEN', reason: 'must be visible ASCII characters without spaces' }]);
    });
  });

  describe('conditional variables', () => {
    it('requires the DSN only for the postgres driver', () => {
      expect(() => loadConfig({ OMS_STORAGE_DRIVER: 'memory' })).not.toThrow();
      const error = errorOf(() => loadConfig({ OMS_STORAGE_DRIVER: 'postgres' }));
      expect(error.issues).toEqual([
        { variable: 'OMS_POSTGRES_DSN', reason: expect.stringContaining('required when OMS_STORAGE_DRIVER=postgres') },
      ]);
      const config = loadConfig({ OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: 'postgres://oms@db/oms' });
      expect(config.storage.postgres.dsn).toBe('postgres://oms@db/oms');
    });

    it('requires brokers only for the kafka driver', () => {
      const error = errorOf(() => loadConfig({ OMS_BROKER_DRIVER: 'kafka' }));
      expect(error.issues).toEqual([{ variable: 'KAFKA_BROKERS', reason: 'is required when OMS_BROKER_DRIVER=kafka' }]);
      const config = loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: 'k0:9092,k1:9092' });
      expect(config.broker.kafka.brokers).toEqual(['k0:9092', 'k1:9092']);
    });

    it('requires the TLS key with the certificate, and the certificate with a client CA', () => {
      expect(errorOf(() => loadConfig({ OMS_GRPC_TLS_CERT: CERT })).issues).toEqual([
        { variable: 'OMS_GRPC_TLS_KEY', reason: 'is required when OMS_GRPC_TLS_CERT is set' },
      ]);
      expect(errorOf(() => loadConfig({ OMS_GRPC_TLS_CLIENT_CA: CERT })).issues.map((i) => i.variable)).toEqual([
        'OMS_GRPC_TLS_CERT',
      ]);
      const config = loadConfig({ OMS_GRPC_TLS_CERT: CERT, OMS_GRPC_TLS_KEY: KEY, OMS_GRPC_TLS_CLIENT_CA: CERT });
      expect(config.grpc.tls).toEqual({ cert: CERT, key: KEY, clientCa: CERT });
    });

    it('keeps idle pooled PostgreSQL connections for ten minutes unless told otherwise', () => {
      expect(loadConfig({}).storage.postgres.poolIdleTimeoutMs).toBe(600_000);
      expect(loadConfig({ OMS_POSTGRES_POOL_IDLE_TIMEOUT: '0' }).storage.postgres.poolIdleTimeoutMs).toBe(0);
      expect(loadConfig({ OMS_POSTGRES_POOL_IDLE_TIMEOUT: '596h' }).storage.postgres.poolIdleTimeoutMs).toBe(2_145_600_000);
      // A longer delay would make Node fire the pool's idle timer after 1 ms: closed at once, not kept.
      expect(errorOf(() => loadConfig({ OMS_POSTGRES_POOL_IDLE_TIMEOUT: 'soon' })).issues).toEqual([
        { variable: 'OMS_POSTGRES_POOL_IDLE_TIMEOUT', reason: expect.stringContaining('must be a duration') },
      ]);
      expect(errorOf(() => loadConfig({ OMS_POSTGRES_POOL_IDLE_TIMEOUT: '720h' })).issues).toEqual([
        { variable: 'OMS_POSTGRES_POOL_IDLE_TIMEOUT', reason: expect.stringContaining('must be at most 2147483647 ms') },
      ]);
    });

    it('spaces outbox rounds and wake-ups by 10 ms unless told otherwise, by at most a second and the poll interval', () => {
      expect(loadConfig({}).outbox.minRoundIntervalMs).toBe(25);
      expect(loadConfig({ OMS_OUTBOX_MIN_ROUND_INTERVAL: '0' }).outbox.minRoundIntervalMs).toBe(0);
      expect(loadConfig({ OMS_OUTBOX_MIN_ROUND_INTERVAL: '1s', OMS_OUTBOX_POLL_INTERVAL: '2s' }).outbox.minRoundIntervalMs).toBe(1_000);
      // No longer than the poll interval, which it would otherwise stretch.
      expect(loadConfig({ OMS_OUTBOX_MIN_ROUND_INTERVAL: '500ms' }).outbox.minRoundIntervalMs).toBe(100);
      expect(errorOf(() => loadConfig({ OMS_OUTBOX_MIN_ROUND_INTERVAL: '1001ms' })).issues).toEqual([
        { variable: 'OMS_OUTBOX_MIN_ROUND_INTERVAL', reason: expect.stringContaining('must be at most 1000 ms') },
      ]);
    });

    it('refuses a client-side query timeout not above the statement timeout', () => {
      const error = errorOf(() => loadConfig({ OMS_POSTGRES_STATEMENT_TIMEOUT: '5s', OMS_POSTGRES_QUERY_TIMEOUT: '5s' }));
      expect(error.issues).toEqual([{ variable: 'OMS_POSTGRES_QUERY_TIMEOUT', reason: '(5000 ms) must be above OMS_POSTGRES_STATEMENT_TIMEOUT (5000 ms), or 0' }]);
      expect(loadConfig({ OMS_POSTGRES_STATEMENT_TIMEOUT: '5s', OMS_POSTGRES_QUERY_TIMEOUT: '0s' }).storage.postgres.queryTimeoutMs).toBe(0);
      expect(loadConfig({ OMS_POSTGRES_STATEMENT_TIMEOUT: '0s', OMS_POSTGRES_QUERY_TIMEOUT: '300ms' }).storage.postgres.queryTimeoutMs).toBe(300);
    });

    it('refuses an inbox retention shorter than a topic it is read from keeps its messages', () => {
      const error = errorOf(() => loadConfig({ OMS_INBOX_RETENTION: '200h' }));
      expect(error.issues).toEqual([
        {
          variable: 'OMS_INBOX_RETENTION',
          reason: '(720000000 ms) must not be below OMS_KAFKA_DLQ_RETENTION (1209600000 ms): a message still in that topic would no longer be recognised as handled',
        },
      ]);
      expect(errorOf(() => loadConfig({ OMS_INBOX_RETENTION: '24h' })).issues.map((issue) => issue.reason.split(':')[0])).toEqual([
        '(86400000 ms) must not be below OMS_KAFKA_ORDERS_RETENTION (604800000 ms)',
        '(86400000 ms) must not be below OMS_KAFKA_DLQ_RETENTION (1209600000 ms)',
      ]);
      expect(loadConfig({ OMS_INBOX_RETENTION: '336h' }).inbox.retentionMs).toBe(1_209_600_000);
      expect(loadConfig({}).inbox).toEqual({ retentionMs: 2_592_000_000, cleanupIntervalMs: 600_000, cleanupBatchSize: 1_000 });
      // Unset, it follows the topics (plus a segment) when they keep messages longer: no second setting to forget.
      expect(loadConfig({ OMS_KAFKA_ORDERS_RETENTION: '1000h' }).inbox.retentionMs).toBe(1168 * 3_600_000);
      expect(loadConfig({ OMS_KAFKA_DLQ_RETENTION: '600h' }).inbox.retentionMs).toBe(768 * 3_600_000);
    });

    it('refuses a backoff cap below its base', () => {
      const error = errorOf(() => loadConfig({ OMS_SAGA_RETRY_BASE: '10s', OMS_SAGA_RETRY_MAX: '1s' }));
      expect(error.issues.map((issue) => issue.variable)).toEqual(['OMS_SAGA_RETRY_MAX']);
    });
  });

  describe('*_FILE variants', () => {
    const files: Record<string, string> = {
      '/run/secrets/dsn': 'postgres://oms:s3cret@db:5432/oms\n',
      '/run/secrets/tls.crt': `${CERT}\n`,
      '/run/secrets/tls.key': `${KEY}\r\n`,
    };
    const readFile: ReadFile = (path) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return content;
    };

    it('reads the value from the file and trims the trailing newline', () => {
      const config = loadConfig(
        {
          OMS_STORAGE_DRIVER: 'postgres',
          OMS_POSTGRES_DSN_FILE: '/run/secrets/dsn',
          OMS_GRPC_TLS_CERT_FILE: '/run/secrets/tls.crt',
          OMS_GRPC_TLS_KEY_FILE: '/run/secrets/tls.key',
        },
        readFile,
      );

      expect(config.storage.postgres.dsn).toBe('postgres://oms:s3cret@db:5432/oms');
      expect(config.grpc.tls.cert).toBe(CERT);
      expect(config.grpc.tls.key).toBe(KEY);
    });

    it('refuses both the value and its file', () => {
      const error = errorOf(() =>
        loadConfig({ OMS_POSTGRES_DSN: 'postgres://db/oms', OMS_POSTGRES_DSN_FILE: '/run/secrets/dsn' }, readFile),
      );
      expect(error.issues).toEqual([
        { variable: 'OMS_POSTGRES_DSN', reason: 'and OMS_POSTGRES_DSN_FILE are both set; set only one' },
      ]);
    });

    it('reports an unreadable file by its variable, next to other problems', () => {
      const error = errorOf(() =>
        loadConfig({ OMS_POSTGRES_DSN_FILE: '/run/secrets/missing', OMS_GRPC_ADDR: 'nope' }, readFile),
      );
      expect(error.issues).toEqual([
        { variable: 'OMS_GRPC_ADDR', reason: expect.stringContaining('host:port') },
        { variable: 'OMS_POSTGRES_DSN_FILE', reason: 'cannot read "/run/secrets/missing" (ENOENT)' },
      ]);
    });

    it('reports a DSN set both ways as that one problem, not also as missing', () => {
      const error = errorOf(() =>
        loadConfig(
          { OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: 'postgres://db/oms', OMS_POSTGRES_DSN_FILE: '/run/secrets/dsn' },
          readFile,
        ),
      );
      expect(error.issues).toEqual([
        { variable: 'OMS_POSTGRES_DSN', reason: 'and OMS_POSTGRES_DSN_FILE are both set; set only one' },
      ]);
      expect(error.message).toContain('(1 problem)');
      expect(error.message).not.toContain('is required');
    });

    it('reports a missing DSN file as one problem, not also as a missing DSN', () => {
      const error = errorOf(() =>
        loadConfig({ OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN_FILE: '/run/secrets/missing' }, readFile),
      );
      expect(error.issues).toEqual([
        { variable: 'OMS_POSTGRES_DSN_FILE', reason: 'cannot read "/run/secrets/missing" (ENOENT)' },
      ]);
    });

    it('reports an unreadable certificate file once, not also as a certificate missing beside its key', () => {
      const error = errorOf(() =>
        loadConfig({ OMS_GRPC_TLS_CERT_FILE: '/run/secrets/missing.crt', OMS_GRPC_TLS_KEY_FILE: '/run/secrets/tls.key' }, readFile),
      );
      expect(error.issues.map((issue) => issue.variable)).toEqual(['OMS_GRPC_TLS_CERT_FILE']);
    });

    it('has no file variant for non-secret variables', () => {
      const { warnings } = parseConfig({ OMS_HTTP_ADDR_FILE: '/tmp/addr' }, readFile);
      expect(warnings).toEqual(['unknown variable OMS_HTTP_ADDR_FILE is ignored']);
    });
  });

  describe('listener addresses', () => {
    it('refuses metrics on the address of the REST API, naming both variables', () => {
      const error = errorOf(() => loadConfig({ OMS_METRICS_ADDR: ':8080' }));
      expect(error.issues).toEqual([
        {
          variable: 'OMS_METRICS_ADDR',
          reason: 'uses the same address as OMS_HTTP_ADDR (0.0.0.0:8080 and 0.0.0.0:8080); give each listener its own port',
        },
      ]);
    });

    it('refuses gRPC on the port of REST when one of them listens on every interface', () => {
      const error = errorOf(() => loadConfig({ OMS_HTTP_ADDR: '127.0.0.1:7000', OMS_GRPC_ADDR: ':7000' }));
      expect(error.issues.map((issue) => [issue.variable, issue.reason.split(' (')[0]])).toEqual([
        ['OMS_GRPC_ADDR', 'uses the same address as OMS_HTTP_ADDR'],
      ]);
    });

    it('reports every clash of three listeners on one address', () => {
      const error = errorOf(() => loadConfig({ OMS_HTTP_ADDR: ':7000', OMS_GRPC_ADDR: ':7000', OMS_METRICS_ADDR: ':7000' }));
      expect(error.issues.map((issue) => issue.variable)).toEqual(['OMS_GRPC_ADDR', 'OMS_METRICS_ADDR']);
    });

    it('accepts one port on different hosts, and port 0 everywhere', () => {
      expect(() => loadConfig({ OMS_HTTP_ADDR: '127.0.0.1:7000', OMS_METRICS_ADDR: '127.0.0.2:7000' })).not.toThrow();
      expect(() => loadConfig({ OMS_HTTP_ADDR: ':0', OMS_GRPC_ADDR: ':0', OMS_METRICS_ADDR: ':0' })).not.toThrow();
    });

    it('checks only the listeners the process opens', () => {
      // A relay serves only the ops endpoints: OMS_HTTP_ADDR is not its address.
      expect(loadConfig({ OMS_METRICS_ADDR: ':8080' }, { listeners: ['metrics'] }).metrics.addr.port).toBe(8080);
      expect(() => loadConfig({ OMS_METRICS_ADDR: ':50051' }, { listeners: ['grpc', 'metrics'] })).toThrow(ConfigError);
    });
  });

  it('warns about unknown OMS_* variables but not about test, start-script or foreign variables', () => {
    const { warnings } = parseConfig({
      OMS_HTTP_ADR: ':8080',
      OMS_TEST_POSTGRES_DSN: 'postgres://x',
      OMS_NODE_HEAP_PERCENT: '50',
      PATH: '/usr/bin',
      OMS_POSTGRES_DSN_FILE: undefined,
    });

    expect(warnings).toEqual(['unknown variable OMS_HTTP_ADR is ignored']);
  });

  it('returns a deeply frozen config', () => {
    const config = loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: 'k0:9092' });

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http.addr)).toBe(true);
    expect(Object.isFrozen(config.broker.kafka.brokers)).toBe(true);
    expect(() => {
      (config.outbox as { batchSize: number }).batchSize = 1;
    }).toThrow(TypeError);
    expect(() => (config.broker.kafka.brokers as string[]).push('k1:9092')).toThrow(TypeError);
  });
});

describe('loadConfigOrExit', () => {
  it('prints every problem to stderr and exits 1 on invalid config', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => loadConfigOrExit('order-api', { OMS_HTTP_ADDR: 'x', LOG_LEVEL: 'loud' })).toThrow('exit 1');
      expect(exit).toHaveBeenCalledWith(1);
      const printed = stderr.mock.calls.map((call) => call.join(' ')).join('\n');
      expect(printed).toContain('order-api: invalid configuration (2 problems)');
      expect(printed).toContain('OMS_HTTP_ADDR');
      expect(printed).toContain('LOG_LEVEL');
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });

  it('returns the config and prints warnings for unknown variables', () => {
    const stderr = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const config = loadConfigOrExit('outbox-relay', { OMS_OUTBOX_BATCH_SIZ: '5' });
      expect(config.serviceName).toBe('outbox-relay');
      expect(stderr).toHaveBeenCalledWith('outbox-relay: config warning: unknown variable OMS_OUTBOX_BATCH_SIZ is ignored');
    } finally {
      stderr.mockRestore();
    }
  });
});
