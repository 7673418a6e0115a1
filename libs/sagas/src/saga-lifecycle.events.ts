import { sagaEndEventType, sagaEventMessage, type SagaEventType } from '@oms/contracts';
import type { OrderState, OutboxMessage, SagaDecision, SagaRecord } from '@oms/domain';
import { activeTraceparent } from '@oms/observability';

/** An order event as far as a saga end's reason is concerned. */
interface OrderFact {
  readonly type: string;
  readonly data: unknown;
}

/** Order events that name the saga that caused them and say why it ended. */
const SAGA_ENDING_EVENTS: ReadonlySet<string> = new Set(['OrderRefunded', 'OrderRefundFailed', 'OrderCompensationFailed']);

/** Why a saga ended: the reason of the order event that ended it (OrderCanceled carries no saga id: an order is canceled once). */
function reasonOf(sagaId: string, events: readonly OrderFact[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const { type, data } = events[i];
    const { reason, sagaId: by } = (data ?? {}) as { reason?: unknown; sagaId?: unknown };
    if (typeof reason !== 'string' || reason.length === 0) continue;
    if (type === 'OrderCanceled' || (SAGA_ENDING_EVENTS.has(type) && by === sagaId)) return reason;
  }
  return undefined;
}

const trace = (): { traceparent?: string } => {
  const traceparent = activeTraceparent();
  return traceparent ? { traceparent } : {};
};

/**
 * The outbox rows of a saga's lifecycle events on `config.broker.kafka.sagaTopic`
 * (`sagaEventMessage`, @oms/contracts): `saga.started` goes into the commit that creates the
 * saga, the end event into the commit of its final transition, so each is published exactly when
 * the transition it reports is committed (ADR 0025). They carry the trace of the work in hand.
 */
export class SagaLifecycleEvents {
  constructor(private readonly topic: string) {}

  started(saga: Pick<SagaRecord, 'sagaId' | 'orderId' | 'kind'>, at: Date): OutboxMessage {
    return this.message('saga.started', saga, at, {});
  }

  /**
   * The end event of a decision that ends the saga (none while it runs). `order`: the order as
   * the decision leaves it; `events`: its stream including the events of this commit.
   */
  ended(saga: Pick<SagaRecord, 'sagaId' | 'orderId' | 'kind'>, decision: SagaDecision, order: OrderState, events: readonly OrderFact[], at: Date): OutboxMessage[] {
    if (decision.status === 'RUNNING') return [];
    const type = sagaEndEventType({ kind: saga.kind, status: decision.status, outcome: decision.outcome, fulfilmentFailed: order.fulfilmentFailure !== undefined });
    const reason = type === 'saga.completed' ? undefined : reasonOf(saga.sagaId, events);
    return [
      this.message(type, saga, at, {
        status: decision.status,
        ...(decision.outcome === undefined ? {} : { outcome: decision.outcome }),
        ...(reason === undefined ? {} : { reason }),
      }),
    ];
  }

  private message(
    type: SagaEventType,
    saga: Pick<SagaRecord, 'sagaId' | 'orderId' | 'kind'>,
    at: Date,
    end: { status?: SagaDecision['status']; outcome?: SagaDecision['outcome']; reason?: string },
  ): OutboxMessage {
    return sagaEventMessage({ type, orderId: saga.orderId, sagaId: saga.sagaId, kind: saga.kind, occurredAt: at.toISOString(), ...end, ...trace() }, this.topic);
  }
}
