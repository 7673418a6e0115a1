import { Injectable } from '@nestjs/common';
import type { SagaKind, SagaStep } from '@oms/domain';

export type SagaStepResult = 'succeeded' | 'rejected' | 'failed';

/**
 * What the orchestrator reports. PrometheusSagaMetrics binds it to the Go OMS metrics
 * (oms_saga_started_total, _completed_total, _failed_total, _canceled_total, _refunded_total,
 * oms_saga_compensation_failed_total, oms_saga_duration_seconds, oms_saga_step_duration_seconds{step},
 * oms_active_sagas, oms_consumer_dead_letters_total{topic,consumer}) and oms_saga_drive_wait_seconds; without a binding the no-op below is used. Implementations must not throw.
 */
export abstract class SagaMetrics {
  abstract started(kind: SagaKind): void;
  /** Reached its goal (status COMPLETED). */
  abstract completed(kind: SagaKind, durationMs: number): void;
  /** Did not reach its goal: compensated, or compensation failed. */
  abstract failed(kind: SagaKind, durationMs: number): void;
  /** The saga ended with the order canceled. */
  abstract canceled(kind: SagaKind): void;
  /** The saga ended with a refund recorded. */
  abstract refunded(kind: SagaKind): void;
  /** A partner refused a compensation (status COMPENSATION_FAILED): alert. */
  abstract compensationFailed(kind: SagaKind, step: SagaStep | null): void;
  /** One partner call and how it ended. */
  abstract stepFinished(step: SagaStep, result: SagaStepResult, durationMs: number): void;
  /** Sagas RUNNING right now (sampled by the recovery sweep). */
  abstract active(count: number): void;
  /** A message of `topic` went to the dead-letter topic (its handler kept failing, or it is not an envelope). */
  abstract deadLettered(topic: string): void;
  /** How long a drive waited for a drive slot (0 when one was free). */
  abstract driveWaited(waitMs: number): void;
}

const ignore = (): void => undefined;

/** The default when nothing binds SagaMetrics: records nothing. */
@Injectable()
export class NoopSagaMetrics extends SagaMetrics {
  started = ignore;
  completed = ignore;
  failed = ignore;
  canceled = ignore;
  refunded = ignore;
  compensationFailed = ignore;
  stepFinished = ignore;
  active = ignore;
  deadLettered = ignore;
  driveWaited = ignore;
}
