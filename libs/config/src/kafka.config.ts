import { boolean, duration, integer, oneOf, pem, size, text, type Parser } from './config.parsers';
import type { VariableSpec } from './config.schema';

/**
 * The Kafka part of the configuration beyond the broker list: connection security (TLS, SASL),
 * the settings of each OMS topic, and producer / consumer batching. Its variables join
 * CONFIG_SCHEMA (so they are parsed, documented and checked for typos like every other) and
 * its cross-variable rules join the loader's, so one start-up error lists every problem.
 */

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export interface KafkaTlsConfig {
  readonly enabled: boolean; // OMS_KAFKA_TLS_ENABLED false
  readonly rejectUnauthorized: boolean; // OMS_KAFKA_TLS_REJECT_UNAUTHORIZED true
  readonly ca?: string; // OMS_KAFKA_TLS_CA(_FILE): PEM; unset = the system's trusted CAs
  readonly cert?: string; // OMS_KAFKA_TLS_CERT(_FILE): client certificate (mutual TLS)
  readonly key?: string; // OMS_KAFKA_TLS_KEY(_FILE): its private key, secret
}

export interface KafkaSaslConfig {
  readonly mechanism: KafkaSaslMechanism; // OMS_KAFKA_SASL_MECHANISM
  readonly username: string; // OMS_KAFKA_SASL_USERNAME(_FILE)
  readonly password: string; // OMS_KAFKA_SASL_PASSWORD(_FILE), secret
}

/** How one topic is created and checked (migrator topics create / check). */
export interface KafkaTopicSettings {
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Kafka `retention.ms`. */
  readonly retentionMs: number;
  /** Kafka `min.insync.replicas`: with acks=all, a write needs this many replicas in sync. */
  readonly minInsyncReplicas: number;
}

export interface KafkaTopicsConfig {
  readonly orders: KafkaTopicSettings; // OMS_KAFKA_ORDERS_*
  readonly dlq: KafkaTopicSettings; // OMS_KAFKA_DLQ_*
  readonly saga: KafkaTopicSettings; // OMS_KAFKA_SAGA_*
}

export interface KafkaProducerConfig {
  /** Most messages in one produce request; a larger publish is sent as several, in order. */
  readonly batchSize: number; // OMS_KAFKA_PRODUCER_BATCH_SIZE 500
  /** Most bytes (keys, values, headers) in one produce request; one larger message goes alone. */
  readonly batchBytes: number; // OMS_KAFKA_PRODUCER_BATCH_BYTES 1mb
}

export interface KafkaConsumerTuning {
  /** Messages of one group member handled at the same time (one key's always one after another). */
  readonly maxInFlight: number; // OMS_KAFKA_CONSUMER_MAX_IN_FLIGHT 64
  /** Most bytes one fetch returns (Kafka fetch.max.bytes). */
  readonly fetchMaxBytes: number; // OMS_KAFKA_CONSUMER_FETCH_MAX_BYTES 10mb
  /** Most bytes one fetch returns per partition (Kafka max.partition.fetch.bytes). */
  readonly partitionFetchMaxBytes: number; // OMS_KAFKA_CONSUMER_PARTITION_FETCH_MAX_BYTES 1mb
  /** Longest a fetch waits on the broker for new messages (Kafka fetch.max.wait.ms). */
  readonly fetchMaxWaitMs: number; // OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT 250ms
  /** Retries of a message whose handler keeps failing before it is dead-lettered (unavailability not counted). */
  readonly maxRetries: number; // OMS_KAFKA_CONSUMER_MAX_RETRIES 3
  /** First pause before a failed message is handled again; doubles (with jitter) up to maxRetryDelayMs. */
  readonly retryDelayMs: number; // OMS_KAFKA_CONSUMER_RETRY_DELAY 200ms
  readonly maxRetryDelayMs: number; // OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY 10s
  /** A member silent this long is dropped from its group and its partitions go to the others. */
  readonly sessionTimeoutMs: number; // OMS_KAFKA_CONSUMER_SESSION_TIMEOUT 6s
  readonly heartbeatIntervalMs: number; // OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL 1s
  /** How long the coordinator waits for every member to rejoin during a rebalance. */
  readonly rebalanceTimeoutMs: number; // OMS_KAFKA_CONSUMER_REBALANCE_TIMEOUT 30s
}

/** How long the client waits on a broker: a silent path fails the request instead of hanging it. */
export interface KafkaTimeoutsConfig {
  readonly connectionMs: number; // OMS_KAFKA_CONNECTION_TIMEOUT 3s
  readonly requestMs: number; // OMS_KAFKA_REQUEST_TIMEOUT 30s
}

/** Fields of OmsConfig.broker.kafka built here. */
export interface KafkaExtendedConfig {
  readonly sagaTopic: string; // OMS_KAFKA_SAGA_TOPIC oms.saga.events
  readonly tls: KafkaTlsConfig;
  /** Absent = no SASL authentication. */
  readonly sasl?: KafkaSaslConfig;
  readonly topics: KafkaTopicsConfig;
  readonly producer: KafkaProducerConfig;
  readonly consumer: KafkaConsumerTuning;
  readonly timeouts: KafkaTimeoutsConfig;
}

interface Options {
  readonly secret?: boolean;
  readonly file?: boolean;
}

function variable<T>(defaultValue: string | undefined, parse: Parser<T>, description: string, options: Options = {}): VariableSpec<T> {
  return {
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    description,
    secret: options.secret ?? false,
    fileVariant: options.file ?? false,
    parse,
  };
}

const optional = <T>(parse: Parser<T>, description: string, options: Options = {}): VariableSpec<T | undefined> =>
  variable<T | undefined>(undefined, parse, description, options);

const DAY_HOURS = 24;

/** The four settings of one topic, named OMS_KAFKA_<TOPIC>_<SETTING>. */
function topicVariables<const P extends string>(
  prefix: P,
  what: string,
  defaults: { partitions: number; retentionDays: number },
) {
  return {
    [`${prefix}_PARTITIONS`]: variable(String(defaults.partitions), integer(1, 10_000), `Partitions of the ${what} topic (topics create / check).`),
    [`${prefix}_REPLICATION_FACTOR`]: variable('3', integer(1, 32), `Replication factor of the ${what} topic.`),
    [`${prefix}_RETENTION`]: variable(`${defaults.retentionDays * DAY_HOURS}h`, duration, `Retention (retention.ms) of the ${what} topic.`),
    [`${prefix}_MIN_INSYNC_REPLICAS`]: variable('2', integer(1, 32), `min.insync.replicas of the ${what} topic; at most its replication factor.`),
  } as {
    readonly [K in `${P}_PARTITIONS` | `${P}_REPLICATION_FACTOR` | `${P}_MIN_INSYNC_REPLICAS`]: VariableSpec<number>;
  } & { readonly [K in `${P}_RETENTION`]: VariableSpec<number> };
}

/** Kafka variables after OMS_KAFKA_DLQ_TOPIC, in documentation order. */
export const KAFKA_VARIABLES = {
  OMS_KAFKA_SAGA_TOPIC: variable('oms.saga.events', text, 'Topic of saga lifecycle events.'),

  OMS_KAFKA_TLS_ENABLED: variable('false', boolean, 'Connect to the brokers over TLS.'),
  OMS_KAFKA_TLS_CA: optional(pem, 'CA bundle (PEM) the broker certificates are checked against; unset = the system trust store.', {
    file: true,
  }),
  OMS_KAFKA_TLS_CERT: optional(pem, 'Client certificate (PEM) for brokers that require mutual TLS; set together with the key.', {
    file: true,
  }),
  OMS_KAFKA_TLS_KEY: optional(pem, 'Private key (PEM) of the client certificate.', { secret: true, file: true }),
  OMS_KAFKA_TLS_REJECT_UNAUTHORIZED: variable('true', boolean, 'Refuse brokers whose certificate does not verify; false only for tests.'),
  OMS_KAFKA_SASL_MECHANISM: optional(oneOf(KAFKA_SASL_MECHANISMS), `SASL mechanism: ${KAFKA_SASL_MECHANISMS.join(', ')}; unset = no SASL.`),
  OMS_KAFKA_SASL_USERNAME: optional(text, 'SASL user name (or API key); required with the mechanism.', { file: true }),
  OMS_KAFKA_SASL_PASSWORD: optional(text, 'SASL password (or API secret); required with the mechanism.', { secret: true, file: true }),

  ...topicVariables('OMS_KAFKA_ORDERS', 'order events', { partitions: 12, retentionDays: 7 }),
  ...topicVariables('OMS_KAFKA_DLQ', 'dead-letter', { partitions: 3, retentionDays: 14 }),
  ...topicVariables('OMS_KAFKA_SAGA', 'saga events', { partitions: 12, retentionDays: 7 }),

  OMS_KAFKA_CONNECTION_TIMEOUT: variable('3s', duration, 'Longest wait for a broker connection to open.'),
  OMS_KAFKA_REQUEST_TIMEOUT: variable('30s', duration, 'Longest wait for one broker request (produce, fetch, metadata) before it fails and is retried.'),

  OMS_KAFKA_PRODUCER_BATCH_SIZE: variable('500', integer(1, 100_000), 'Most messages in one produce request; larger publishes go as several requests, in order.'),
  OMS_KAFKA_PRODUCER_BATCH_BYTES: variable('1mb', size, 'Most bytes in one produce request (a single larger message is sent alone).'),
  OMS_KAFKA_CONSUMER_MAX_IN_FLIGHT: variable('64', integer(1, 10_000), 'Messages one consumer handles at the same time (one key stays in order).'),
  OMS_KAFKA_CONSUMER_FETCH_MAX_BYTES: variable('10mb', size, 'Most bytes one consumer fetch returns (fetch.max.bytes).'),
  OMS_KAFKA_CONSUMER_PARTITION_FETCH_MAX_BYTES: variable('1mb', size, 'Most bytes one fetch returns per partition (max.partition.fetch.bytes).'),
  OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT: variable(
    '250ms',
    duration,
    'Longest a consumer fetch waits on the broker for new messages (fetch.max.wait.ms); a broker answers sooner when messages arrive, so it sets how often an idle consumer asks. At most a third of OMS_KAFKA_CONSUMER_SESSION_TIMEOUT.',
  ),
  OMS_KAFKA_CONSUMER_MAX_RETRIES: variable(
    '3',
    integer(0, 1_000),
    'Retries of a message whose handler keeps failing, then it goes to the dead-letter topic (OMS_KAFKA_DLQ_TOPIC) and its key moves on; failures while the database is unreachable are retried without counting.',
  ),
  OMS_KAFKA_CONSUMER_RETRY_DELAY: variable('200ms', duration, 'First pause before a failed message is handled again (capped exponential backoff with jitter; both broker drivers).'),
  OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY: variable('10s', duration, 'Longest pause between two attempts at a failed message.'),
  // A killed member's partitions wait for its session to expire: 6 s is the brokers' default
  // group.min.session.timeout.ms, the shortest they accept (docs/reliability.md, ADR 0027).
  OMS_KAFKA_CONSUMER_SESSION_TIMEOUT: variable(
    '6s',
    duration,
    'A consumer group member silent this long is dropped and its partitions move to the others (at least the broker group.min.session.timeout.ms, 6 s by default).',
  ),
  OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL: variable('1s', duration, 'Heartbeats of a consumer group member; at most a third of OMS_KAFKA_CONSUMER_SESSION_TIMEOUT.'),
  OMS_KAFKA_CONSUMER_REBALANCE_TIMEOUT: variable('30s', duration, 'How long a rebalance waits for every member to rejoin (a busy member finishes its in-flight messages first).'),
} as const;

export type KafkaVariableName = keyof typeof KAFKA_VARIABLES;
type ValueOf<S> = S extends VariableSpec<infer T> ? T : never;
export type KafkaValues = { readonly [K in KafkaVariableName]: ValueOf<(typeof KAFKA_VARIABLES)[K]> };

const TOPIC_PREFIXES = { orders: 'OMS_KAFKA_ORDERS', dlq: 'OMS_KAFKA_DLQ', saga: 'OMS_KAFKA_SAGA' } as const;

function topicSettings(v: KafkaValues, prefix: (typeof TOPIC_PREFIXES)[keyof typeof TOPIC_PREFIXES]): KafkaTopicSettings {
  return {
    partitions: v[`${prefix}_PARTITIONS`],
    replicationFactor: v[`${prefix}_REPLICATION_FACTOR`],
    retentionMs: v[`${prefix}_RETENTION`],
    minInsyncReplicas: v[`${prefix}_MIN_INSYNC_REPLICAS`],
  };
}

/** Shapes the parsed Kafka variables (only called once every rule below held). */
export function buildKafkaConfig(v: KafkaValues): KafkaExtendedConfig {
  const { OMS_KAFKA_SASL_MECHANISM: mechanism, OMS_KAFKA_SASL_USERNAME: username, OMS_KAFKA_SASL_PASSWORD: password } = v;
  const tls: KafkaTlsConfig = {
    enabled: v.OMS_KAFKA_TLS_ENABLED,
    rejectUnauthorized: v.OMS_KAFKA_TLS_REJECT_UNAUTHORIZED,
    ...(v.OMS_KAFKA_TLS_CA === undefined ? {} : { ca: v.OMS_KAFKA_TLS_CA }),
    ...(v.OMS_KAFKA_TLS_CERT === undefined ? {} : { cert: v.OMS_KAFKA_TLS_CERT }),
    ...(v.OMS_KAFKA_TLS_KEY === undefined ? {} : { key: v.OMS_KAFKA_TLS_KEY }),
  };
  return {
    sagaTopic: v.OMS_KAFKA_SAGA_TOPIC,
    tls,
    ...(mechanism && username !== undefined && password !== undefined ? { sasl: { mechanism, username, password } } : {}),
    topics: {
      orders: topicSettings(v, TOPIC_PREFIXES.orders),
      dlq: topicSettings(v, TOPIC_PREFIXES.dlq),
      saga: topicSettings(v, TOPIC_PREFIXES.saga),
    },
    producer: { batchSize: v.OMS_KAFKA_PRODUCER_BATCH_SIZE, batchBytes: v.OMS_KAFKA_PRODUCER_BATCH_BYTES },
    consumer: {
      maxInFlight: v.OMS_KAFKA_CONSUMER_MAX_IN_FLIGHT,
      fetchMaxBytes: v.OMS_KAFKA_CONSUMER_FETCH_MAX_BYTES,
      partitionFetchMaxBytes: v.OMS_KAFKA_CONSUMER_PARTITION_FETCH_MAX_BYTES,
      fetchMaxWaitMs: v.OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT,
      maxRetries: v.OMS_KAFKA_CONSUMER_MAX_RETRIES,
      retryDelayMs: v.OMS_KAFKA_CONSUMER_RETRY_DELAY,
      maxRetryDelayMs: v.OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY,
      sessionTimeoutMs: v.OMS_KAFKA_CONSUMER_SESSION_TIMEOUT,
      heartbeatIntervalMs: v.OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL,
      rebalanceTimeoutMs: v.OMS_KAFKA_CONSUMER_REBALANCE_TIMEOUT,
    },
    timeouts: { connectionMs: v.OMS_KAFKA_CONNECTION_TIMEOUT, requestMs: v.OMS_KAFKA_REQUEST_TIMEOUT },
  };
}

const TLS_DETAILS = ['OMS_KAFKA_TLS_CA', 'OMS_KAFKA_TLS_CERT', 'OMS_KAFKA_TLS_KEY', 'OMS_KAFKA_TLS_REJECT_UNAUTHORIZED'] as const;

/**
 * Combinations that cannot work: TLS details while TLS is off, half a client certificate,
 * SASL without credentials (or credentials without a mechanism), a first consumer retry delay
 * above the longest one, and topics whose
 * min.insync.replicas exceeds their replication factor (every acks=all write would fail).
 */
export function kafkaIssues(
  v: Partial<KafkaValues>,
  isSet: (name: KafkaVariableName) => boolean,
): { variable: KafkaVariableName; reason: string }[] {
  const issues: { variable: KafkaVariableName; reason: string }[] = [];
  if (v.OMS_KAFKA_TLS_ENABLED !== true) {
    for (const name of TLS_DETAILS) {
      if (isSet(name)) issues.push({ variable: name, reason: 'is set but OMS_KAFKA_TLS_ENABLED is not true (set it, or remove this)' });
    }
  }
  if (isSet('OMS_KAFKA_TLS_CERT') && !isSet('OMS_KAFKA_TLS_KEY')) {
    issues.push({ variable: 'OMS_KAFKA_TLS_KEY', reason: 'is required when OMS_KAFKA_TLS_CERT is set' });
  }
  if (isSet('OMS_KAFKA_TLS_KEY') && !isSet('OMS_KAFKA_TLS_CERT')) {
    issues.push({ variable: 'OMS_KAFKA_TLS_CERT', reason: 'is required when OMS_KAFKA_TLS_KEY is set' });
  }
  if (isSet('OMS_KAFKA_SASL_MECHANISM')) {
    for (const name of ['OMS_KAFKA_SASL_USERNAME', 'OMS_KAFKA_SASL_PASSWORD'] as const) {
      if (!isSet(name)) issues.push({ variable: name, reason: `is required when OMS_KAFKA_SASL_MECHANISM is set (set it or ${name}_FILE)` });
    }
  } else {
    for (const name of ['OMS_KAFKA_SASL_USERNAME', 'OMS_KAFKA_SASL_PASSWORD'] as const) {
      if (isSet(name)) {
        issues.push({ variable: name, reason: `is set but OMS_KAFKA_SASL_MECHANISM is not (${KAFKA_SASL_MECHANISMS.join(', ')})` });
      }
    }
  }
  const { OMS_KAFKA_CONSUMER_RETRY_DELAY: retryDelay, OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY: maxRetryDelay } = v;
  if (retryDelay !== undefined && maxRetryDelay !== undefined && retryDelay > maxRetryDelay) {
    issues.push({
      variable: 'OMS_KAFKA_CONSUMER_RETRY_DELAY',
      reason: `(${retryDelay} ms) must not exceed OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY (${maxRetryDelay} ms)`,
    });
  }
  const { OMS_KAFKA_CONSUMER_SESSION_TIMEOUT: session, OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL: heartbeat } = v;
  if (session !== undefined && heartbeat !== undefined && (heartbeat <= 0 || heartbeat * 3 > session)) {
    issues.push({
      variable: 'OMS_KAFKA_CONSUMER_HEARTBEAT_INTERVAL',
      reason: `(${heartbeat} ms) must be above 0 and at most a third of OMS_KAFKA_CONSUMER_SESSION_TIMEOUT (${session} ms), or a busy member misses its session`,
    });
  }
  const fetchWait = v.OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT;
  // kafkajs heartbeats between fetches, so an idle member's fetch wait counts against its session like a heartbeat interval.
  if (fetchWait !== undefined && (fetchWait <= 0 || (session !== undefined && fetchWait * 3 > session))) {
    issues.push({
      variable: 'OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT',
      reason: `(${fetchWait} ms) must be above 0 and at most a third of OMS_KAFKA_CONSUMER_SESSION_TIMEOUT (${session ?? '?'} ms), or an idle member misses its session`,
    });
  }
  for (const prefix of Object.values(TOPIC_PREFIXES)) {
    const replicas = v[`${prefix}_REPLICATION_FACTOR`];
    const minInsync = v[`${prefix}_MIN_INSYNC_REPLICAS`];
    if (replicas !== undefined && minInsync !== undefined && minInsync > replicas) {
      issues.push({
        variable: `${prefix}_MIN_INSYNC_REPLICAS`,
        reason: `(${minInsync}) must not exceed ${prefix}_REPLICATION_FACTOR (${replicas}): no acks=all write could succeed`,
      });
    }
  }
  return issues;
}
