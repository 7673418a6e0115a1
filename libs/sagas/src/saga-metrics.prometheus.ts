import { Injectable } from '@nestjs/common';
import type { SagaStep } from '@oms/domain';
import { OmsMetrics } from '@oms/observability';
import { SagaMetrics } from './saga-metrics';

/** SagaMetrics on the app's Prometheus registry (OmsMetrics from ObservabilityModule). */
@Injectable()
export class PrometheusSagaMetrics extends SagaMetrics {
  constructor(private readonly metrics: OmsMetrics) {
    super();
  }

  started(): void {
    this.metrics.sagaStarted.inc();
  }
  completed(_kind: string, durationMs: number): void {
    this.metrics.sagaCompleted.inc();
    this.metrics.sagaDuration.observe(durationMs / 1000);
  }
  failed(_kind: string, durationMs: number): void {
    this.metrics.sagaFailed.inc();
    this.metrics.sagaDuration.observe(durationMs / 1000);
  }
  canceled(): void {
    this.metrics.sagaCanceled.inc();
  }
  refunded(): void {
    this.metrics.sagaRefunded.inc();
  }
  compensationFailed(): void {
    this.metrics.sagaCompensationFailed.inc();
  }
  stepFinished(step: SagaStep, _result: string, durationMs: number): void {
    this.metrics.sagaStepDuration.observe({ step }, durationMs / 1000);
  }
  active(count: number): void {
    this.metrics.activeSagas.set(count);
  }
  deadLettered(): void {
    this.metrics.outboxDeadLetters.inc();
  }
}
