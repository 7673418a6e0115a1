export { retryDelayMs } from './saga.backoff';
export { decideSaga } from './saga.decider';
export {
  idempotencyKeyOf,
  initialSagaState,
  type CancellationSagaState,
  type FulfilmentSagaState,
  type PartnerCall,
  type PartnerReply,
  type RefundSagaState,
  type SagaDecision,
  type SagaInput,
  type SagaInstant,
  type SagaOutcome,
  type SagaPolicy,
  type SagaState,
  type SagaStep,
  type SagaTrigger,
  type UnconfirmedStep,
} from './saga.types';
