import { Logger } from '@nestjs/common';
import {
  Clock,
  ConcurrencyError,
  OrderStreams,
  type LoadedOrder,
  SagaStore,
  decideSaga,
  isDomainError,
  orderStreamId,
  type OutboxMessage,
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
  /**
   * The decision and the order events it produced are committed; `decision.call` is next, if any.
   * `after`: the saga row and the order as this commit left them, for the drive's next step.
   */
  | { readonly type: 'committed'; readonly record: SagaRecord<SagaState>; readonly decision: SagaDecision; readonly after: SagaStepState };

/** The saga row and the order a step decides on. */
export interface SagaStepState {
  readonly record: SagaRecord<SagaState>;
  readonly order: LoadedOrder;
}

const toDate = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

/** What a saga's first commit carries besides its decision: the inbox entry of the message that started it, its saga.started event. */
export interface FirstCommitExtras {
  readonly inbox?: { readonly consumer: string; readonly messageId: string };
  readonly outbox: readonly OutboxMessage[];
}

/** A step that committed: the decision and the saga row and order as its commit left them. */
export interface CommittedStep {
  readonly decision: SagaDecision;
  readonly after: SagaStepState;
}

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

  /**
   * `known`: the saga row and order as this drive's previous commit left them. The first attempt
   * decides on them instead of reading both again (two round trips less per step); the commit's
   * version checks still refuse a saga row or an order stream that moved meanwhile, and a retry
   * reads both fresh.
   */
  async run(sagaId: string, input: SagaTrigger, span?: Span, known?: SagaStepState): Promise<SagaStepOutcome> {
    for (let attempt = 0; ; attempt++) {
      const reuse = attempt === 0 && known !== undefined && known.record.sagaId === sagaId ? known : undefined;
      const record = reuse ? reuse.record : ((await this.sagas.get(sagaId)) as SagaRecord<SagaState> | null);
      if (!record || record.status !== 'RUNNING') return { type: 'idle' };
      span?.updateName(`saga ${record.kind}`);
      span?.setAttributes({ [ORDER_ID_ATTRIBUTE]: record.orderId, 'oms.saga.kind': record.kind });
      try {
        const order = reuse ? reuse.order : await this.orders.load(record.orderId);
        const { decision, after } = await this.decideAndCommit(record, order, input);
        this.reportEnd(record, decision);
        return { type: 'committed', record, decision, after };
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

  /**
   * The first commit of a saga that so far exists only in hand (`record` at version 0: the commit
   * inserts it), with the outcome of the call its start decided. Decided on the order as read;
   * when the order moved meanwhile, decided again on a fresh read, a few times, as run() does. A
   * conflict on the saga row (it exists) or the inbox (the message was handled) is thrown.
   */
  async runFirst(record: SagaRecord<SagaState>, known: LoadedOrder, input: SagaTrigger, extras: FirstCommitExtras): Promise<CommittedStep> {
    let order = known;
    for (let attempt = 0; ; attempt++) {
      try {
        const committed = await this.decideAndCommit(record, order, input, extras);
        this.reportEnd(record, committed.decision);
        return committed;
      } catch (error) {
        const otherConflict = error instanceof ConcurrencyError && error.streamId !== orderStreamId(record.orderId);
        if (otherConflict || !isDomainError(error) || attempt >= MAX_STALE_RETRIES) throw error;
        order = await this.orders.load(record.orderId);
      }
    }
  }

  private async decideAndCommit(record: SagaRecord<SagaState>, order: LoadedOrder, input: SagaTrigger, extras?: FirstCommitExtras): Promise<CommittedStep> {
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
    const events = recorded.events.length > 0 ? [...order.events, ...recorded.events] : order.events;
    const ended = this.lifecycle.ended(record, decision, recorded.state, events, now);
    const outbox = [...(extras?.outbox ?? []), ...(recorded.change.outbox ?? []), ...ended];
    // A decision without order events still stands on the order as read (or as the last step left
    // it): the commit checks the stream is still at that version, so a moved order is decided again.
    const append = recorded.change.append ?? { streamId: orderStreamId(order.orderId), expectedVersion: order.state.version, events: [] };
    const inbox = extras?.inbox ? { inbox: extras.inbox } : {};
    await this.orders.commit({ ...recorded.change, append, ...(outbox.length > 0 ? { outbox } : {}), saga: next, ...inbox });
    // The store bumps the row's version on each write; the appended events' positions stay unknown (0), which no decision reads.
    const after = { record: { ...next, version: record.version + 1 }, order: { orderId: order.orderId, state: recorded.state, events } };
    return { decision, after };
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
