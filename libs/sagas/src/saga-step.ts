import { Logger } from '@nestjs/common';
import {
  Clock,
  ConcurrencyError,
  OrderStreams,
  SagaStore,
  decideSaga,
  isDomainError,
  orderStreamId,
  type SagaDecision,
  type SagaPolicy,
  type SagaRecord,
  type SagaState,
  type SagaTrigger,
} from '@oms/domain';
import type { Span } from '@oms/observability';
import type { SagaLifecycleEvents } from './saga-lifecycle.events';
import type { SagaMetrics } from './saga-metrics';

/** Fresh decisions tried when the order keeps moving under the saga, before leaving it to the sweep. */
const MAX_STALE_RETRIES = 3;

/** Span attributes of saga work (also set on the consumer's span). */
export const SAGA_ID_ATTRIBUTE = 'oms.saga.id';
export const ORDER_ID_ATTRIBUTE = 'oms.order.id';

/** How one step ended. */
export type SagaStepOutcome =
  /** The saga is not running (ended, or unknown): nothing was written. */
  | { readonly type: 'idle' }
  /** Another drive advanced the saga row first: this one backs off, nothing was written. */
  | { readonly type: 'overtaken' }
  /** The decision and the order events it produced are committed; `decision.call` is next, if any. */
  | { readonly type: 'committed'; readonly record: SagaRecord<SagaState>; readonly decision: SagaDecision };

const toDate = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

/**
 * One step of a saga: load the saga row and the order -> decideSaga -> commit, in ONE
 * transaction, the saga row and exactly the order events the decision produced, appended at
 * the order version that was read (nothing is decided twice), with the saga's end event when the
 * decision ends it. When the order moved since it was read (a conflict on its stream), the step
 * is decided again on a fresh read, a few times.
 */
export class SagaStep {
  private readonly logger = new Logger('SagaRunner');

  constructor(
    private readonly sagas: SagaStore,
    private readonly orders: OrderStreams,
    private readonly clock: Clock,
    private readonly policy: SagaPolicy,
    private readonly metrics: SagaMetrics,
    private readonly lifecycle: SagaLifecycleEvents,
  ) {}

  async run(sagaId: string, input: SagaTrigger, span?: Span): Promise<SagaStepOutcome> {
    for (let attempt = 0; ; attempt++) {
      const record = (await this.sagas.get(sagaId)) as SagaRecord<SagaState> | null;
      if (!record || record.status !== 'RUNNING') return { type: 'idle' };
      span?.updateName(`saga ${record.kind}`);
      span?.setAttributes({ [ORDER_ID_ATTRIBUTE]: record.orderId, 'oms.saga.kind': record.kind });
      try {
        const decision = await this.decideAndCommit(record, input);
        this.reportEnd(record, decision);
        return { type: 'committed', record, decision };
      } catch (error) {
        if (error instanceof ConcurrencyError && error.streamId !== orderStreamId(record.orderId)) {
          this.logger.debug(`saga ${sagaId} was advanced elsewhere; backing off`);
          return { type: 'overtaken' };
        }
        // The order stream moved since this step read it (a conflict on its stream, or a command
        // the fresh order refuses): decide again on a fresh read.
        const orderMoved = error instanceof ConcurrencyError || isDomainError(error);
        if (!orderMoved || attempt >= MAX_STALE_RETRIES) throw error;
      }
    }
  }

  private async decideAndCommit(record: SagaRecord<SagaState>, input: SagaTrigger): Promise<SagaDecision> {
    const order = await this.orders.load(record.orderId);
    const now = this.clock.now();
    const decision = decideSaga({ ...input, now: now.toISOString(), jitter: Math.random() }, record.state, order.state, this.policy);
    const next: SagaRecord<SagaState> = {
      ...record,
      status: decision.status,
      state: decision.state,
      nextAttemptAt: toDate(decision.nextAttemptAt),
      deadlineAt: toDate(decision.deadlineAt),
      updatedAt: now,
    };
    const recorded = this.orders.record(order, decision.orderEvents, { correlationId: record.sagaId, occurredAt: now.toISOString() });
    // The final transition carries the saga's end event (oms.saga.events), after the order's events.
    const ended = this.lifecycle.ended(record, decision, recorded.state, [...order.events, ...recorded.events], now);
    const outbox = [...(recorded.change.outbox ?? []), ...ended];
    await this.orders.commit({ ...recorded.change, ...(outbox.length > 0 ? { outbox } : {}), saga: next });
    return decision;
  }

  private reportEnd(record: SagaRecord<SagaState>, decision: SagaDecision): void {
    if (decision.status === 'RUNNING') return;
    const durationMs = this.clock.now().getTime() - new Date(record.createdAt).getTime();
    if (decision.status === 'COMPLETED') this.metrics.completed(record.kind, durationMs);
    else this.metrics.failed(record.kind, durationMs);
    if (decision.outcome === 'canceled') this.metrics.canceled(record.kind);
    if (decision.outcome === 'refunded') this.metrics.refunded(record.kind);
    if (decision.status === 'COMPENSATION_FAILED') {
      this.metrics.compensationFailed(record.kind, record.state.step);
      this.logger.error(`saga ${record.sagaId} of order ${record.orderId}: compensation failed, the order needs an operator`);
    } else {
      // Completed sagas are counted by metrics; a line per order at info would be the hot path's only one.
      const line = `saga ${record.sagaId} (${record.kind}) of order ${record.orderId} ended ${decision.status} (${decision.outcome ?? 'no outcome'})`;
      if (decision.status === 'COMPLETED' && (decision.outcome === 'confirmed' || decision.outcome === undefined)) this.logger.debug(line);
      else this.logger.log(line);
    }
  }
}
