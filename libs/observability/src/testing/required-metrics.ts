// Test data shared by the metrics and ops server specs; kept by hand, apart from the code it checks.
/** The metric names operators' dashboards and alerts rely on (Go OMS names plus ours). */
export const REQUIRED_METRICS: readonly string[] = [
  'oms_saga_started_total',
  'oms_saga_completed_total',
  'oms_saga_failed_total',
  'oms_saga_canceled_total',
  'oms_saga_refunded_total',
  'oms_saga_duration_seconds',
  'oms_saga_step_duration_seconds',
  'oms_active_sagas',
  'oms_timeline_events_total',
  'oms_outbox_events_total',
  'oms_outbox_publish_attempts_total',
  'oms_outbox_pending_records',
  'oms_outbox_oldest_pending_age_seconds',
  'oms_idempotency_cleanup_runs_total',
  'oms_idempotency_cleanup_deleted_total',
  'oms_idempotency_cleanup_last_deleted',
  'oms_http_requests_total',
  'oms_http_request_duration_seconds',
  'oms_grpc_requests_total',
  'oms_grpc_request_duration_seconds',
  'oms_saga_compensation_failed_total',
  'oms_outbox_dead_letters_total',
  'oms_db_pool_connections',
  'oms_kafka_consumer_lag',
];

