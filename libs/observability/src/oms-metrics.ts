import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { heapUsedAfterLastFullGc } from './heap-after-gc';
import { OMS_VERSION, type BuildInfo } from './build-info';

/**
 * `oms_outbox_publish_attempts_total{result}`, the Go OMS's values (its alerts select on them):
 * `sent` an outbox row reached its topic; `failed` publishing a row to its topic failed (outage or
 * refusal); `dlq_failed` dead-lettering a row failed, so it stays pending; `retry_error` the
 * failed attempt could not be recorded for the retry (storage error). Counted per row.
 */
export const OUTBOX_PUBLISH_RESULTS = ['sent', 'failed', 'dlq_failed', 'retry_error'] as const;
export type OutboxPublishResult = (typeof OUTBOX_PUBLISH_RESULTS)[number];

/** `oms_idempotency_cleanup_runs_total{result}`, the Go OMS's values. */
export const CLEANUP_RUN_RESULTS = ['ok', 'error'] as const;
export type CleanupRunResult = (typeof CLEANUP_RUN_RESULTS)[number];

const SAGA_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const STEP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Waits in front of a resource: mostly none (the first bucket), the tail is what queueing adds.
const WAIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Every Prometheus metric of OMS, on a Registry of its own (one per app instance, so tests can
 * run several apps in one process). Names and meanings follow the Go OMS so its dashboards and
 * alerts keep working; the rest fill what it lacked.
 */
export class OmsMetrics {
  readonly registry = new Registry();

  // Sagas (saga-orchestrator).
  readonly sagaStarted = this.counter('oms_saga_started_total', 'Sagas started (one per order payment, cancellation or refund).');
  readonly sagaCompleted = this.counter('oms_saga_completed_total', 'Sagas that reached their goal (order confirmed, canceled or refunded as requested).');
  readonly sagaFailed = this.counter('oms_saga_failed_total', 'Sagas that ended without reaching their goal (a step failed and compensation ran).');
  readonly sagaCanceled = this.counter('oms_saga_canceled_total', 'Sagas that ended with the order canceled.');
  readonly sagaRefunded = this.counter('oms_saga_refunded_total', 'Sagas that ended with a payment refunded (full or partial).');
  readonly sagaCompensationFailed = this.counter(
    'oms_saga_compensation_failed_total',
    'Sagas left in COMPENSATION_FAILED because a partner refused a compensation (release or refund); needs an operator.',
  );
  readonly sagaDuration = new Histogram({
    name: 'oms_saga_duration_seconds',
    help: 'Time from saga start to its final state, in seconds.',
    buckets: SAGA_DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly sagaStepDuration = new Histogram<'step'>({
    name: 'oms_saga_step_duration_seconds',
    help: 'Time of one saga step (partner call included, retries excluded), in seconds, by step.',
    labelNames: ['step'],
    buckets: STEP_DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly sagaDriveWait = new Histogram({
    name: 'oms_saga_drive_wait_seconds',
    help: 'Time a saga drive waited for one of the drive slots of this orchestrator before it ran, in seconds.',
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly activeSagas = this.gauge('oms_active_sagas', 'Sagas started and not yet in a final state.');
  readonly sagaCompensationsRetrying = this.gauge(
    'oms_saga_compensation_retrying',
    'RUNNING sagas waiting on a release or refund step, which is retried until the partner answers.',
  );
  readonly sagaCompensationOldestAge = this.gauge(
    'oms_saga_compensation_oldest_age_seconds',
    'Time since the oldest of the sagas in oms_saga_compensation_retrying began its step, in seconds (0 when none).',
  );
  readonly timelineEvents = this.counter('oms_timeline_events_total', 'Order events appended to order timelines (event streams).');

  // Outbox (outbox-relay).
  readonly outboxEvents = this.counter('oms_outbox_events_total', 'Outbox rows published to the broker and marked sent.');
  readonly outboxPublishAttempts = new Counter<'result'>({
    name: 'oms_outbox_publish_attempts_total',
    help: 'Outbox rows tried, by result: sent, failed (publish to the topic failed), dlq_failed (dead-lettering failed), retry_error (the failed attempt could not be recorded).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly outboxPendingRecords = this.gauge('oms_outbox_pending_records', 'Outbox rows not yet published.');
  readonly outboxOldestPendingAge = this.gauge(
    'oms_outbox_oldest_pending_age_seconds',
    'Age of the oldest unpublished outbox row, in seconds (0 when none is pending).',
  );
  readonly outboxDeadLetters = this.counter(
    'oms_outbox_dead_letters_total',
    'Outbox rows the broker kept refusing, sent to the dead-letter topic after their attempts (relay).',
  );

  // Consumers (saga-orchestrator).
  readonly consumerDeadLetters = new Counter<'topic' | 'consumer'>({
    name: 'oms_consumer_dead_letters_total',
    help: 'Consumed messages sent to the dead-letter topic (handler kept failing, or not a valid envelope), by source topic and consumer.',
    labelNames: ['topic', 'consumer'],
    registers: [this.registry],
  });

  // Idempotency key cleanup (order-api).
  readonly idempotencyCleanupRuns = new Counter<'result'>({
    name: 'oms_idempotency_cleanup_runs_total',
    help: 'Runs of the expired idempotency key cleanup, by result (ok, error).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly idempotencyCleanupDeleted = this.counter('oms_idempotency_cleanup_deleted_total', 'Expired idempotency keys deleted by the cleanup.');
  readonly idempotencyCleanupLastDeleted = this.gauge('oms_idempotency_cleanup_last_deleted', 'Expired idempotency keys deleted by the last cleanup run.');

  // Inbox cleanup (saga-orchestrator, standalone): handled message ids older than OMS_INBOX_RETENTION.
  readonly inboxCleanupRuns = new Counter<'result'>({
    name: 'oms_inbox_cleanup_runs_total',
    help: 'Runs of the cleanup of handled message ids (processed_messages), by result (ok, error).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly inboxCleanupDeleted = this.counter('oms_inbox_cleanup_deleted_total', 'Handled message ids deleted by the inbox cleanup.');

  // Requests.
  readonly httpRequests = new Counter<'method' | 'route' | 'status'>({
    name: 'oms_http_requests_total',
    help: 'REST requests answered, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly httpRequestDuration = new Histogram<'method' | 'route' | 'status'>({
    name: 'oms_http_request_duration_seconds',
    help: 'Time to answer a REST request, in seconds, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: REQUEST_DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly grpcRequests = new Counter<'method' | 'code'>({
    name: 'oms_grpc_requests_total',
    help: 'gRPC calls answered, by full method name and status code name (OK, INVALID_ARGUMENT, ...).',
    labelNames: ['method', 'code'],
    registers: [this.registry],
  });
  readonly grpcRequestDuration = new Histogram<'method' | 'code'>({
    name: 'oms_grpc_request_duration_seconds',
    help: 'Time to answer a gRPC call, in seconds, by full method name and status code name.',
    labelNames: ['method', 'code'],
    buckets: REQUEST_DURATION_BUCKETS,
    registers: [this.registry],
  });

  // Drivers.
  readonly dbPoolConnections = new Gauge<'state'>({
    name: 'oms_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting = clients queued for a connection).',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly dbPoolWait = new Histogram({
    name: 'oms_db_pool_wait_seconds',
    help: 'Time a statement or transaction waited for a PostgreSQL pool connection, in seconds.',
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly kafkaConsumerLag = new Gauge<'topic' | 'partition'>({
    name: 'oms_kafka_consumer_lag',
    help: 'Messages between the committed offset of this consumer group and the end of the partition.',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });

  // Health (for readiness-flapping alerts).
  readonly ready = this.gauge('oms_ready', 'Readiness of this process as last answered on /readyz (1 ready, 0 not ready).');
  readonly healthCheckUp = new Gauge<'check'>({
    name: 'oms_health_check_up',
    help: 'Result of each registered health check when last run (1 up, 0 down).',
    labelNames: ['check'],
    registers: [this.registry],
  });

  // Memory a leak raises (process_resident_memory_bytes and nodejs_heap_size_used_bytes also count garbage).
  readonly heapLive = new Gauge({
    name: 'oms_heap_live_bytes',
    help: 'V8 heap used right after the last full garbage collection, in bytes (0 until the first one).',
    registers: [this.registry],
    collect() {
      const bytes = heapUsedAfterLastFullGc();
      if (bytes !== undefined) this.set(bytes);
    },
  });

  // The running build (a constant 1; the labels carry the information).
  readonly buildInfo = new Gauge<'version' | 'commit'>({
    name: 'oms_build_info',
    help: 'Always 1: the labels name the running build, version (package.json) and commit (OMS_BUILD_COMMIT).',
    labelNames: ['version', 'commit'],
    registers: [this.registry],
  });

  constructor(build: BuildInfo = { version: OMS_VERSION, commit: 'unknown' }) {
    collectDefaultMetrics({ register: this.registry });
    heapUsedAfterLastFullGc(); // observe collections from now on, not from the first scrape
    this.buildInfo.labels(build.version, build.commit).set(1);
    // Every label value exists from the start, so rate() and increase() see a baseline and a
    // rule selecting one value has a series before the first event.
    for (const result of OUTBOX_PUBLISH_RESULTS) this.outboxPublishAttempts.labels(result).inc(0);
    for (const result of CLEANUP_RUN_RESULTS) this.idempotencyCleanupRuns.labels(result).inc(0);
    for (const result of CLEANUP_RUN_RESULTS) this.inboxCleanupRuns.labels(result).inc(0);
  }

  /** Prometheus text exposition of every metric of this registry. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }
}

/** Names of every oms_* metric an app exports (for dashboards and alert rules checks). */
export function omsMetricNames(): string[] {
  return new OmsMetrics().registry
    .getMetricsAsArray()
    .map((metric) => metric.name)
    .filter((name) => name.startsWith('oms_'))
    .sort();
}
