export { SagasModule, type SagasModuleOptions } from './sagas.module';
export { SagaRunner } from './saga-runner';
export { OrderEventsConsumer, DLQ_ERROR_HEADER, DLQ_SOURCE_HEADERS } from './order-events.consumer';
export { SagaRecoverySweep } from './saga-recovery.sweep';
export { SagaMetrics, NoopSagaMetrics, type SagaStepResult } from './saga-metrics';
export { PrometheusSagaMetrics } from './saga-metrics.prometheus';
export { SAGA_INBOX_CONSUMER, sagaPolicyOf } from './saga-policy';
export { performPartnerCall, PartnerCallTimeoutError } from './partner-call';
