import { Inject, Injectable, Optional } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import type { SagaStep } from '@oms/domain';
import { OmsMetrics } from '@oms/observability';
import { SagaMetrics } from './saga-metrics';
import { SAGA_INBOX_CONSUMER } from './saga-policy';

/** SagaMetrics on the app's Prometheus registry (OmsMetrics from ObservabilityModule). */
@Injectable()
export class PrometheusSagaMetrics extends SagaMetrics {
  constructor(
    private readonly metrics: OmsMetrics,
    @Optional() @Inject(OMS_CONFIG) config?: OmsConfig,
  ) {
    super();
    // The consumer's series exists from the start, so increase() sees its first dead letter.
    if (config) this.metrics.consumerDeadLetters.labels(config.broker.kafka.ordersTopic, SAGA_INBOX_CONSUMER).inc(0);
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
  deadLettered(topic: string): void {
    this.metrics.consumerDeadLetters.inc({ topic, consumer: SAGA_INBOX_CONSUMER });
  }
  driveWaited(waitMs: number): void {
    this.metrics.sagaDriveWait.observe(waitMs / 1000);
  }
}
