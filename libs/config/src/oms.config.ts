import type { KafkaExtendedConfig } from './kafka.config';

/**
 * The typed configuration of every OMS process. Names follow the Go OMS (`OMS_*`);
 * parsed once at boot from the environment (config.schema.ts), then frozen.
 * Durations are milliseconds; addresses are `host:port` (`:8080` = all interfaces).
 */
export type StorageDriver = 'memory' | 'postgres';
export type BrokerDriver = 'memory' | 'kafka';
export type PartnerDriver = 'in-process' | 'grpc';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface OmsConfig {
  readonly serviceName: string;
  readonly logLevel: LogLevel;
  readonly buildCommit: string; // OMS_BUILD_COMMIT unknown (set by the image build)
  readonly http: {
    readonly addr: ListenAddress; // OMS_HTTP_ADDR :8080
    readonly bodyLimitBytes: number; // OMS_HTTP_BODY_LIMIT 1mb
    readonly requestTimeoutMs: number; // OMS_HTTP_REQUEST_TIMEOUT 30s
    readonly trustedProxies: readonly string[]; // OMS_TRUSTED_PROXIES '' (IPs / CIDRs whose X-Forwarded-For is believed)
  };
  readonly grpc: {
    readonly addr: ListenAddress; // OMS_GRPC_ADDR :50051
    readonly tls: {
      readonly cert?: string; // OMS_GRPC_TLS_CERT(_FILE): PEM
      readonly key?: string; // OMS_GRPC_TLS_KEY(_FILE): PEM, secret
      readonly clientCa?: string; // OMS_GRPC_TLS_CLIENT_CA(_FILE): PEM; set = mutual TLS
    };
  };
  readonly metrics: { readonly addr: ListenAddress }; // OMS_METRICS_ADDR :9090
  readonly shutdownTimeoutMs: number; // OMS_SHUTDOWN_TIMEOUT 25s
  readonly storage: {
    readonly driver: StorageDriver; // OMS_STORAGE_DRIVER memory
    readonly postgres: {
      readonly dsn?: string; // OMS_POSTGRES_DSN(_FILE), required when driver = postgres; secret
      readonly autoMigrate: boolean; // OMS_POSTGRES_AUTO_MIGRATE false
      readonly poolMax: number; // OMS_POSTGRES_POOL_MAX 20
      readonly poolIdleTimeoutMs: number; // OMS_POSTGRES_POOL_IDLE_TIMEOUT 10m; 0 = never closed
      readonly statementTimeoutMs: number; // OMS_POSTGRES_STATEMENT_TIMEOUT 5s
      readonly queryTimeoutMs: number; // OMS_POSTGRES_QUERY_TIMEOUT 10s
    };
  };
  readonly broker: {
    readonly driver: BrokerDriver; // OMS_BROKER_DRIVER memory
    readonly kafka: {
      readonly brokers: readonly string[]; // KAFKA_BROKERS, required when driver = kafka
      readonly clientId: string; // OMS_KAFKA_CLIENT_ID oms
      readonly idempotent: boolean; // OMS_KAFKA_IDEMPOTENT true
      readonly ordersTopic: string; // OMS_KAFKA_ORDERS_TOPIC oms.order.events
      readonly dlqTopic: string; // OMS_KAFKA_DLQ_TOPIC oms.dlq
    } & KafkaExtendedConfig; // security, topic settings, batching: kafka.config.ts
  };
  readonly outbox: {
    readonly pollIntervalMs: number; // OMS_OUTBOX_POLL_INTERVAL 100ms
    readonly minRoundIntervalMs: number; // OMS_OUTBOX_MIN_ROUND_INTERVAL 25ms (relay rounds and wake-ups spaced)
    readonly batchSize: number; // OMS_OUTBOX_BATCH_SIZE 500
    readonly retryDelayMs: number; // OMS_OUTBOX_RETRY_DELAY 200ms (base of capped exponential backoff)
    readonly maxRetryDelayMs: number; // OMS_OUTBOX_MAX_RETRY_DELAY 30s
    readonly maxAttempts: number; // OMS_OUTBOX_MAX_ATTEMPTS 10
    readonly maxPending: number; // OMS_OUTBOX_MAX_PENDING 10000 (readiness threshold)
    readonly partitions: number; // OMS_OUTBOX_PARTITIONS 16
    readonly leaseTtlMs: number; // OMS_OUTBOX_LEASE_TTL 10s
    readonly retentionMs: number; // OMS_OUTBOX_RETENTION 1h (sent rows kept this long)
  };
  readonly idempotency: {
    readonly ttlMs: number; // OMS_IDEMPOTENCY_TTL 24h
    readonly cleanupIntervalMs: number; // OMS_IDEMPOTENCY_CLEANUP_INTERVAL 10m, 0 = off
    readonly cleanupBatchSize: number; // OMS_IDEMPOTENCY_CLEANUP_BATCH_SIZE 500
    readonly lockMs: number; // OMS_IDEMPOTENCY_LOCK 30s (in-flight claim of a crashed request expires)
  };
  readonly inbox: {
    readonly retentionMs: number; // OMS_INBOX_RETENTION, unset = max(720h, orders / DLQ topic retention + 168h)
    readonly cleanupIntervalMs: number; // OMS_INBOX_CLEANUP_INTERVAL 10m, 0 = off
    readonly cleanupBatchSize: number; // OMS_INBOX_CLEANUP_BATCH_SIZE 1000
  };
  readonly saga: {
    readonly callTimeoutMs: number; // OMS_SAGA_CALL_TIMEOUT 2s
    readonly maxAttempts: number; // OMS_SAGA_MAX_ATTEMPTS 8
    readonly retryBaseMs: number; // OMS_SAGA_RETRY_BASE 100ms
    readonly retryMaxMs: number; // OMS_SAGA_RETRY_MAX 5s
    readonly stepDeadlineMs: number; // OMS_SAGA_STEP_DEADLINE 60s
    readonly sweepIntervalMs: number; // OMS_SAGA_SWEEP_INTERVAL 1s
    readonly consumerGroup: string; // OMS_SAGA_CONSUMER_GROUP oms-saga-orchestrator
  };
  readonly partners: {
    readonly driver: PartnerDriver; // OMS_PARTNER_DRIVER in-process
    readonly inventoryAddr: string; // OMS_PARTNER_INVENTORY_ADDR 127.0.0.1:50061
    readonly paymentAddr: string; // OMS_PARTNER_PAYMENT_ADDR 127.0.0.1:50061
    readonly paymentDeclineAboveMinor: number; // OMS_PAYMENT_DECLINE_ABOVE_MINOR 1000000 (in-process + mocks rule)
    readonly latencyMs: number; // OMS_PARTNER_LATENCY 0 (in-process + mocks)
    readonly errorRate: number; // OMS_PARTNER_ERROR_RATE 0 (0..1, transient errors injected)
  };
  readonly rateLimit: {
    readonly enabled: boolean; // OMS_RATE_LIMIT_ENABLED false
    readonly requestsPerSecond: number; // OMS_RATE_LIMIT_RPS 100 (per client)
    readonly burst: number; // OMS_RATE_LIMIT_BURST 200
  };
  readonly admin: {
    readonly token?: string; // OMS_ADMIN_TOKEN(_FILE), secret; unset = admin API off
  };
  readonly console: { readonly enabled: boolean }; // OMS_CONSOLE_ENABLED false
}
