import type { OmsConfig } from '@oms/config';
import type { SagaPolicy } from '@oms/domain';

export const sagaPolicyOf = (config: Pick<OmsConfig, 'saga'>): SagaPolicy => ({
  maxAttempts: config.saga.maxAttempts,
  retryBaseMs: config.saga.retryBaseMs,
  retryMaxMs: config.saga.retryMaxMs,
  stepDeadlineMs: config.saga.stepDeadlineMs,
  callTimeoutMs: config.saga.callTimeoutMs,
});

/** The orchestrator's name in the inbox: one dedup space per consumer. */
export const SAGA_INBOX_CONSUMER = 'saga-orchestrator';
