import {
  bearerToken,
  boolean,
  cidrList,
  decimal,
  dialAddress,
  dialAddressList,
  duration,
  durationAtMost,
  timerDuration,
  integer,
  listenAddress,
  oneOf,
  pem,
  postgresDsn,
  size,
  text,
  type Parser,
} from './config.parsers';
import { buildKafkaConfig, KAFKA_VARIABLES, kafkaIssues } from './kafka.config';
import type { BrokerDriver, LogLevel, OmsConfig, PartnerDriver, StorageDriver } from './oms.config';

/** What the loader knows when it resolves a default. */
export interface DefaultContext {
  readonly appName: string;
}

/** One environment variable of OMS: the single source for parsing, defaults and docs. */
export interface VariableSpec<T> {
  /** Raw default, parsed by `parse` like an explicit value; absent = the field stays unset. */
  readonly default?: string | ((context: DefaultContext) => string);
  /** How the default reads in the docs when it is computed. */
  readonly defaultDoc?: string;
  readonly description: string;
  /** Secret values are never echoed in errors, logs or /healthz. */
  readonly secret: boolean;
  /** A `<NAME>_FILE` variant reads the value from a file (Kubernetes secrets, Docker secrets). */
  readonly fileVariant: boolean;
  readonly parse: Parser<T>;
}

interface Options {
  readonly secret?: boolean;
  readonly file?: boolean;
  readonly defaultDoc?: string;
}

function variable<T>(
  defaultValue: string | ((context: DefaultContext) => string),
  parse: Parser<T>,
  description: string,
  options: Options = {},
): VariableSpec<T> {
  return {
    default: defaultValue,
    defaultDoc: options.defaultDoc,
    description,
    secret: options.secret ?? false,
    fileVariant: options.file ?? false,
    parse,
  };
}

function optional<T>(parse: Parser<T>, description: string, options: Options = {}): VariableSpec<T | undefined> {
  return { description, secret: options.secret ?? false, fileVariant: options.file ?? false, parse };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[];
export const STORAGE_DRIVERS = ['memory', 'postgres'] as const satisfies readonly StorageDriver[];
export const BROKER_DRIVERS = ['memory', 'kafka'] as const satisfies readonly BrokerDriver[];
export const PARTNER_DRIVERS = ['in-process', 'grpc'] as const satisfies readonly PartnerDriver[];

/**
 * Every variable, in documentation order. Names and defaults follow the Go OMS so existing
 * deployments keep their values.
 */
export const CONFIG_SCHEMA = {
  OMS_SERVICE_NAME: variable(({ appName }) => appName, text, 'Service name in logs, metrics and traces.', {
    defaultDoc: 'the app name',
  }),
  LOG_LEVEL: variable('info', oneOf(LOG_LEVELS), `Log level: ${LOG_LEVELS.join(', ')}.`),
  OMS_BUILD_COMMIT: variable('unknown', text, 'Source commit of the running build, shown by /healthz and oms_build_info; the image sets it from its REVISION build argument.'),

  OMS_HTTP_ADDR: variable(':8080', listenAddress, 'REST listen address (host:port, :port = all interfaces).'),
  OMS_HTTP_BODY_LIMIT: variable('1mb', size, 'Largest accepted REST request body (b, kb, mb).'),
  OMS_HTTP_REQUEST_TIMEOUT: variable('30s', duration, 'REST request timeout.'),

  OMS_GRPC_ADDR: variable(':50051', listenAddress, 'gRPC listen address.'),
  OMS_GRPC_TLS_CERT: optional(pem, 'gRPC server certificate (PEM); set together with the key to serve TLS.', {
    file: true,
  }),
  OMS_GRPC_TLS_KEY: optional(pem, 'gRPC server private key (PEM); required with the certificate.', {
    secret: true,
    file: true,
  }),
  OMS_GRPC_TLS_CLIENT_CA: optional(pem, 'CA bundle (PEM) for client certificates; set = mutual TLS.', {
    file: true,
  }),

  OMS_METRICS_ADDR: variable(':9090', listenAddress, 'Ops listen address: /metrics, /healthz, /livez, /readyz.'),
  OMS_SHUTDOWN_TIMEOUT: variable('25s', duration, 'Graceful shutdown budget after SIGTERM before a forced exit.'),

  OMS_STORAGE_DRIVER: variable('memory', oneOf(STORAGE_DRIVERS), 'Storage driver: memory (embedded) or postgres.'),
  OMS_POSTGRES_DSN: optional(postgresDsn, 'PostgreSQL connection string; required when OMS_STORAGE_DRIVER=postgres.', {
    secret: true,
    file: true,
  }),
  OMS_POSTGRES_AUTO_MIGRATE: variable('false', boolean, 'Run pending migrations at start-up.'),
  OMS_POSTGRES_POOL_MAX: variable('20', integer(1, 1000), 'Largest number of pooled PostgreSQL connections.'),
  OMS_POSTGRES_POOL_IDLE_TIMEOUT: variable(
    '10m',
    timerDuration,
    'How long a pooled PostgreSQL connection may stay unused before it is closed: a new one costs a server process and the preparation of every statement again, at the start of the next burst; 0 = kept until the app stops.',
  ),
  OMS_POSTGRES_STATEMENT_TIMEOUT: variable('5s', duration, 'PostgreSQL statement_timeout of every connection.'),
  OMS_POSTGRES_QUERY_TIMEOUT: variable(
    '10s',
    duration,
    'Client-side limit on one query, round trip included: on a silent network path the query fails and its connection is dropped; above the statement timeout; 0 = none.',
  ),

  OMS_BROKER_DRIVER: variable('memory', oneOf(BROKER_DRIVERS), 'Message broker driver: memory (embedded) or kafka.'),
  KAFKA_BROKERS: optional(dialAddressList, 'Comma-separated Kafka bootstrap brokers; required when OMS_BROKER_DRIVER=kafka.'),
  OMS_KAFKA_CLIENT_ID: variable('oms', text, 'Kafka client id.'),
  OMS_KAFKA_IDEMPOTENT: variable('true', boolean, 'Idempotent Kafka producer (acks=all).'),
  OMS_KAFKA_ORDERS_TOPIC: variable('oms.order.events', text, 'Topic of order events.'),
  OMS_KAFKA_DLQ_TOPIC: variable('oms.dlq', text, 'Dead-letter topic for poison messages.'),
  ...KAFKA_VARIABLES,

  OMS_OUTBOX_POLL_INTERVAL: variable('100ms', duration, 'Pause between outbox polls when the outbox is empty.'),
  OMS_OUTBOX_MIN_ROUND_INTERVAL: variable(
    '25ms',
    durationAtMost(1_000, 'every event would wait up to that long for its relay round'),
    'Shortest time between the starts of two outbox relay rounds after an idle wait (woken by a commit, a poll or a backoff ending; a backlog is relayed without pause), and between two outbox wake-up notifications a process sends: commits in between go out together in the next round (fewer statements, produce requests and wake-ups per order, for up to this much more latency per event under load; after a quiet spell of this length the first commit goes out at once). Set it alike in every app (order-api, saga-orchestrator, outbox-relay); at most OMS_OUTBOX_POLL_INTERVAL takes effect. 0 = a round and a notification per commit.',
  ),
  OMS_OUTBOX_BATCH_SIZE: variable('500', integer(1, 100_000), 'Outbox rows claimed and published per batch.'),
  OMS_OUTBOX_RETRY_DELAY: variable('200ms', duration, 'First retry delay of a failed publish (capped exponential backoff).'),
  OMS_OUTBOX_MAX_RETRY_DELAY: variable('30s', duration, 'Largest retry delay of a failed publish.'),
  OMS_OUTBOX_MAX_ATTEMPTS: variable('10', integer(1, 1_000), 'Publish attempts before a row is dead-lettered.'),
  OMS_OUTBOX_MAX_PENDING: variable('10000', integer(1), 'Readiness fails when more outbox rows than this are pending.'),
  OMS_OUTBOX_PARTITIONS: variable('16', integer(1, 4_096), 'Outbox partitions; each is leased by one relay replica.'),
  OMS_OUTBOX_LEASE_TTL: variable('10s', duration, 'Lease time of an outbox partition without a heartbeat.'),
  OMS_OUTBOX_RETENTION: variable(
    '1h',
    duration,
    'How long sent outbox rows are kept (when each event went out, for inspection); 0 = a row is deleted as soon as it is published: no sent history, and a small delete instead of a new copy of the row (about a sixth less WAL per order).',
  ),

  OMS_IDEMPOTENCY_TTL: variable('24h', duration, 'Lifetime of an idempotency key.'),
  OMS_IDEMPOTENCY_CLEANUP_INTERVAL: variable('10m', duration, 'Interval of the expired idempotency key cleanup; 0 = off.'),
  OMS_IDEMPOTENCY_CLEANUP_BATCH_SIZE: variable('500', integer(1, 100_000), 'Idempotency keys deleted per cleanup batch.'),
  OMS_IDEMPOTENCY_LOCK: variable('30s', duration, 'In-flight claim of a request expires after this (crashed requests).'),

  OMS_INBOX_RETENTION: optional(
    duration,
    'How long the id of a handled message is kept for deduplication (processed_messages); unset = 720h, or the longer of OMS_KAFKA_ORDERS_RETENTION and OMS_KAFKA_DLQ_RETENTION plus 168h when that is longer. Set it to at least the retention of the topics as the broker has them, plus their segment.ms (Kafka deletes whole segments, so a message outlives retention.ms by up to a segment): a message still in a topic is read again when a consumer group starts over, or comes back from the dead-letter topic, and must be recognised. Refused below the two retentions.',
  ),
  OMS_INBOX_CLEANUP_INTERVAL: variable('10m', duration, 'Interval of the cleanup of handled message ids older than OMS_INBOX_RETENTION (saga-orchestrator, standalone); 0 = off.'),
  OMS_INBOX_CLEANUP_BATCH_SIZE: variable('1000', integer(1, 100_000), 'Handled message ids deleted per cleanup batch.'),

  OMS_SAGA_CALL_TIMEOUT: variable('2s', duration, 'Timeout of one partner call.'),
  OMS_SAGA_MAX_ATTEMPTS: variable('8', integer(1, 1_000), 'Attempts of a forward saga step (reserve, charge) before the saga compensates; release and refund retry until answered.'),
  OMS_SAGA_RETRY_BASE: variable('100ms', duration, 'First retry delay of a saga step (capped exponential backoff with jitter).'),
  OMS_SAGA_RETRY_MAX: variable('5s', duration, 'Largest retry delay of a saga step.'),
  OMS_SAGA_STEP_DEADLINE: variable('60s', duration, 'Deadline of a forward saga step across all its attempts.'),
  OMS_SAGA_SWEEP_INTERVAL: variable('1s', duration, 'Interval of the recovery sweep for due saga timers.'),
  OMS_SAGA_CONSUMER_GROUP: variable('oms-saga-orchestrator', text, 'Consumer group of the saga orchestrator.'),

  OMS_PARTNER_DRIVER: variable('in-process', oneOf(PARTNER_DRIVERS), 'Partner adapters: in-process rules or grpc (partner-mocks / real partners).'),
  OMS_PARTNER_INVENTORY_ADDR: variable('127.0.0.1:50061', dialAddress, 'Inventory gRPC address (host:port).'),
  OMS_PARTNER_PAYMENT_ADDR: variable('127.0.0.1:50061', dialAddress, 'Payment gRPC address (host:port).'),
  OMS_PAYMENT_DECLINE_ABOVE_MINOR: variable('1000000', integer(0), 'Payments above this amount (minor units) are declined by the in-process partner and the mocks.'),
  OMS_PARTNER_LATENCY: variable('0', duration, 'Added latency of the in-process partner and the mocks.'),
  OMS_PARTNER_ERROR_RATE: variable('0', decimal(0, 1), 'Share (0..1) of partner calls that fail with a transient error (in-process and mocks).'),

  OMS_RATE_LIMIT_ENABLED: variable('false', boolean, 'Per-client request rate limit of the API.'),
  OMS_RATE_LIMIT_RPS: variable('100', integer(1), 'Sustained requests per second per client.'),
  OMS_RATE_LIMIT_BURST: variable('200', integer(1), 'Burst of requests per client above the sustained rate.'),

  OMS_ADMIN_TOKEN: optional(
    bearerToken,
    'Bearer token of the admin API (/v1/admin on order-api: sagas, dead letters); unset = the admin API is off (404). At least 16 characters.',
    { secret: true, file: true },
  ),

  OMS_CONSOLE_ENABLED: variable(
    'false',
    boolean,
    'Serve the operator console (built static assets) at /console on the REST listener of order-api and standalone; off = /console answers 404. `npm start` turns it on.',
  ),

  OMS_TRUSTED_PROXIES: variable(
    '',
    cidrList,
    'Proxies (IP addresses, CIDR ranges, comma-separated) whose X-Forwarded-For names the REST client, for the rate limit and logs; empty = the peer address is the client.',
  ),
} as const;

export type VariableName = keyof typeof CONFIG_SCHEMA;
type ValueOf<S> = S extends VariableSpec<infer T> ? T : never;
export type ConfigValues = { readonly [K in VariableName]: ValueOf<(typeof CONFIG_SCHEMA)[K]> };

/** Shapes the parsed variables into OmsConfig; the compiler checks every field is filled. */
export function buildConfig(v: ConfigValues): OmsConfig {
  return {
    serviceName: v.OMS_SERVICE_NAME,
    logLevel: v.LOG_LEVEL,
    buildCommit: v.OMS_BUILD_COMMIT,
    http: {
      addr: v.OMS_HTTP_ADDR,
      bodyLimitBytes: v.OMS_HTTP_BODY_LIMIT,
      requestTimeoutMs: v.OMS_HTTP_REQUEST_TIMEOUT,
      trustedProxies: v.OMS_TRUSTED_PROXIES,
    },
    grpc: {
      addr: v.OMS_GRPC_ADDR,
      tls: withoutUndefined({
        cert: v.OMS_GRPC_TLS_CERT,
        key: v.OMS_GRPC_TLS_KEY,
        clientCa: v.OMS_GRPC_TLS_CLIENT_CA,
      }),
    },
    metrics: { addr: v.OMS_METRICS_ADDR },
    shutdownTimeoutMs: v.OMS_SHUTDOWN_TIMEOUT,
    storage: {
      driver: v.OMS_STORAGE_DRIVER,
      postgres: withoutUndefined({
        dsn: v.OMS_POSTGRES_DSN,
        autoMigrate: v.OMS_POSTGRES_AUTO_MIGRATE,
        poolMax: v.OMS_POSTGRES_POOL_MAX,
        poolIdleTimeoutMs: v.OMS_POSTGRES_POOL_IDLE_TIMEOUT,
        statementTimeoutMs: v.OMS_POSTGRES_STATEMENT_TIMEOUT,
        queryTimeoutMs: v.OMS_POSTGRES_QUERY_TIMEOUT,
      }),
    },
    broker: {
      driver: v.OMS_BROKER_DRIVER,
      kafka: {
        brokers: v.KAFKA_BROKERS ?? [],
        clientId: v.OMS_KAFKA_CLIENT_ID,
        idempotent: v.OMS_KAFKA_IDEMPOTENT,
        ordersTopic: v.OMS_KAFKA_ORDERS_TOPIC,
        dlqTopic: v.OMS_KAFKA_DLQ_TOPIC,
        ...buildKafkaConfig(v),
      },
    },
    outbox: {
      pollIntervalMs: v.OMS_OUTBOX_POLL_INTERVAL,
      // A longer spacing would stretch every poll as well.
      minRoundIntervalMs: Math.min(v.OMS_OUTBOX_MIN_ROUND_INTERVAL, v.OMS_OUTBOX_POLL_INTERVAL),
      batchSize: v.OMS_OUTBOX_BATCH_SIZE,
      retryDelayMs: v.OMS_OUTBOX_RETRY_DELAY,
      maxRetryDelayMs: v.OMS_OUTBOX_MAX_RETRY_DELAY,
      maxAttempts: v.OMS_OUTBOX_MAX_ATTEMPTS,
      maxPending: v.OMS_OUTBOX_MAX_PENDING,
      partitions: v.OMS_OUTBOX_PARTITIONS,
      leaseTtlMs: v.OMS_OUTBOX_LEASE_TTL,
      retentionMs: v.OMS_OUTBOX_RETENTION,
    },
    idempotency: {
      ttlMs: v.OMS_IDEMPOTENCY_TTL,
      cleanupIntervalMs: v.OMS_IDEMPOTENCY_CLEANUP_INTERVAL,
      cleanupBatchSize: v.OMS_IDEMPOTENCY_CLEANUP_BATCH_SIZE,
      lockMs: v.OMS_IDEMPOTENCY_LOCK,
    },
    inbox: {
      retentionMs:
        v.OMS_INBOX_RETENTION ??
        Math.max(DEFAULT_INBOX_RETENTION_MS, Math.max(v.OMS_KAFKA_ORDERS_RETENTION, v.OMS_KAFKA_DLQ_RETENTION) + KAFKA_SEGMENT_MS),
      cleanupIntervalMs: v.OMS_INBOX_CLEANUP_INTERVAL,
      cleanupBatchSize: v.OMS_INBOX_CLEANUP_BATCH_SIZE,
    },
    saga: {
      callTimeoutMs: v.OMS_SAGA_CALL_TIMEOUT,
      maxAttempts: v.OMS_SAGA_MAX_ATTEMPTS,
      retryBaseMs: v.OMS_SAGA_RETRY_BASE,
      retryMaxMs: v.OMS_SAGA_RETRY_MAX,
      stepDeadlineMs: v.OMS_SAGA_STEP_DEADLINE,
      sweepIntervalMs: v.OMS_SAGA_SWEEP_INTERVAL,
      consumerGroup: v.OMS_SAGA_CONSUMER_GROUP,
    },
    partners: {
      driver: v.OMS_PARTNER_DRIVER,
      inventoryAddr: v.OMS_PARTNER_INVENTORY_ADDR,
      paymentAddr: v.OMS_PARTNER_PAYMENT_ADDR,
      paymentDeclineAboveMinor: v.OMS_PAYMENT_DECLINE_ABOVE_MINOR,
      latencyMs: v.OMS_PARTNER_LATENCY,
      errorRate: v.OMS_PARTNER_ERROR_RATE,
    },
    rateLimit: {
      enabled: v.OMS_RATE_LIMIT_ENABLED,
      requestsPerSecond: v.OMS_RATE_LIMIT_RPS,
      burst: v.OMS_RATE_LIMIT_BURST,
    },
    admin: withoutUndefined({ token: v.OMS_ADMIN_TOKEN }),
    console: { enabled: v.OMS_CONSOLE_ENABLED },
  };
}

/** Optional fields are left out rather than set to undefined (exactOptionalPropertyTypes-safe). */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/**
 * OMS_INBOX_RETENTION when unset: 30 days, or the longer of the orders and dead-letter topic
 * retentions plus a segment when that is longer. Kafka deletes whole segments (segment.ms,
 * 7 days by default), so a message outlives retention.ms by up to one.
 */
const DEFAULT_INBOX_RETENTION_MS = 720 * 3_600_000;
const KAFKA_SEGMENT_MS = 168 * 3_600_000;

/** Cross-variable rules, checked after every variable parsed on its own. */
export function conditionalIssues(
  v: Partial<ConfigValues>,
  isSet: (name: VariableName) => boolean,
): { variable: VariableName; reason: string }[] {
  const issues: { variable: VariableName; reason: string }[] = [];
  if (v.OMS_STORAGE_DRIVER === 'postgres' && !isSet('OMS_POSTGRES_DSN')) {
    issues.push({
      variable: 'OMS_POSTGRES_DSN',
      reason: 'is required when OMS_STORAGE_DRIVER=postgres (set it or OMS_POSTGRES_DSN_FILE)',
    });
  }
  if (v.OMS_BROKER_DRIVER === 'kafka' && !isSet('KAFKA_BROKERS')) {
    issues.push({ variable: 'KAFKA_BROKERS', reason: 'is required when OMS_BROKER_DRIVER=kafka' });
  }
  if (isSet('OMS_GRPC_TLS_CERT') && !isSet('OMS_GRPC_TLS_KEY')) {
    issues.push({ variable: 'OMS_GRPC_TLS_KEY', reason: 'is required when OMS_GRPC_TLS_CERT is set' });
  }
  if (isSet('OMS_GRPC_TLS_KEY') && !isSet('OMS_GRPC_TLS_CERT')) {
    issues.push({ variable: 'OMS_GRPC_TLS_CERT', reason: 'is required when OMS_GRPC_TLS_KEY is set' });
  }
  if (isSet('OMS_GRPC_TLS_CLIENT_CA') && !isSet('OMS_GRPC_TLS_CERT')) {
    issues.push({
      variable: 'OMS_GRPC_TLS_CERT',
      reason: 'is required when OMS_GRPC_TLS_CLIENT_CA is set (mutual TLS needs server TLS)',
    });
  }
  issues.push(...kafkaIssues(v, isSet));
  const { OMS_POSTGRES_STATEMENT_TIMEOUT: statementTimeout, OMS_POSTGRES_QUERY_TIMEOUT: queryTimeout } = v;
  if (statementTimeout !== undefined && queryTimeout !== undefined && queryTimeout > 0 && queryTimeout <= statementTimeout) {
    // Otherwise a merely slow statement would be cut off on the client, its connection dropped, before the server's own timeout answers.
    issues.push({
      variable: 'OMS_POSTGRES_QUERY_TIMEOUT',
      reason: `(${queryTimeout} ms) must be above OMS_POSTGRES_STATEMENT_TIMEOUT (${statementTimeout} ms), or 0`,
    });
  }
  const retry = v.OMS_OUTBOX_RETRY_DELAY;
  if (retry !== undefined && v.OMS_OUTBOX_MAX_RETRY_DELAY !== undefined && v.OMS_OUTBOX_MAX_RETRY_DELAY < retry) {
    issues.push({ variable: 'OMS_OUTBOX_MAX_RETRY_DELAY', reason: 'must not be below OMS_OUTBOX_RETRY_DELAY' });
  }
  const inboxRetention = v.OMS_INBOX_RETENTION;
  for (const topic of ['OMS_KAFKA_ORDERS_RETENTION', 'OMS_KAFKA_DLQ_RETENTION'] as const) {
    const topicRetention = v[topic];
    if (inboxRetention === undefined || topicRetention === undefined || inboxRetention >= topicRetention) continue;
    issues.push({
      variable: 'OMS_INBOX_RETENTION',
      reason: `(${inboxRetention} ms) must not be below ${topic} (${topicRetention} ms): a message still in that topic would no longer be recognised as handled`,
    });
  }
  if (v.OMS_SAGA_RETRY_BASE !== undefined && v.OMS_SAGA_RETRY_MAX !== undefined && v.OMS_SAGA_RETRY_MAX < v.OMS_SAGA_RETRY_BASE) {
    issues.push({ variable: 'OMS_SAGA_RETRY_MAX', reason: 'must not be below OMS_SAGA_RETRY_BASE' });
  }
  return issues;
}
