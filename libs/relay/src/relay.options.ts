import type { OmsConfig } from '@oms/config';

/** Everything the relay loop is tuned by; built from OmsConfig by relayOptionsFromConfig. */
export interface RelayOptions {
  /** Outbox partitions 0..partitions-1 (OMS_OUTBOX_PARTITIONS). */
  readonly partitions: number;
  /** Rows fetched and published per round (OMS_OUTBOX_BATCH_SIZE). */
  readonly batchSize: number;
  /** Fallback wake-up when no signal arrives (OMS_OUTBOX_POLL_INTERVAL). */
  readonly pollIntervalMs: number;
  /**
   * Shortest time from one round's start to the next after an idle wait (a wake-up, a poll, a
   * backoff's end; OMS_OUTBOX_MIN_ROUND_INTERVAL, at most the poll interval): commits signalled
   * in between go out in one round. A backlog's rounds follow each other at once. Default 0.
   */
  readonly minRoundIntervalMs?: number;
  /** Base and cap of the capped exponential backoff (OMS_OUTBOX_RETRY_DELAY, OMS_OUTBOX_MAX_RETRY_DELAY). */
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** Broker rejections of one row before it is dead-lettered (OMS_OUTBOX_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  /** Sent rows older than this are pruned (OMS_OUTBOX_RETENTION); 0 = rows are deleted as they are published. */
  readonly retentionMs: number;
  readonly pruneIntervalMs: number;
  readonly pruneBatchSize: number;
  /** How often the pending gauge and oldest-pending age are refreshed. */
  readonly statsIntervalMs: number;
  readonly deadLetterTopic: string;
}

/** Nest injection token of RelayOptions. */
export const RELAY_OPTIONS = Symbol.for('oms.relay.options');

export function relayOptionsFromConfig(config: Pick<OmsConfig, 'outbox' | 'broker'>): RelayOptions {
  const { outbox } = config;
  return {
    partitions: outbox.partitions,
    batchSize: outbox.batchSize,
    pollIntervalMs: outbox.pollIntervalMs,
    minRoundIntervalMs: outbox.minRoundIntervalMs,
    retryDelayMs: outbox.retryDelayMs,
    maxRetryDelayMs: outbox.maxRetryDelayMs,
    maxAttempts: outbox.maxAttempts,
    retentionMs: outbox.retentionMs,
    // Pruning is housekeeping: often enough to keep the table bounded, rarely enough to cost nothing.
    // At retention 0 rows are deleted as they go out; the prune only finds rows sent before that.
    pruneIntervalMs: outbox.retentionMs === 0 ? 60_000 : Math.min(60_000, Math.max(1_000, outbox.retentionMs)),
    pruneBatchSize: 1_000,
    statsIntervalMs: 5_000,
    deadLetterTopic: config.broker.kafka.dlqTopic,
  };
}
