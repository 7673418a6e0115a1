import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import {
  Clock,
  ConcurrencyError,
  InventoryPort,
  OrderCommandBus,
  PaymentPort,
  SagaStore,
  UnitOfWork,
  decideSaga,
  initialOrderState,
  initialSagaState,
  isDomainError,
  orderStreamId,
  type PartnerCall,
  type SagaDecision,
  type SagaKind,
  type SagaPolicy,
  type SagaRecord,
  type SagaState,
  type SagaTrigger,
  type StoredEvent,
} from '@oms/domain';
import { SpanKind, failSpan, inSpan, type Span } from '@oms/observability';
import { performPartnerCall } from './partner-call';
import { NoopSagaMetrics, SagaMetrics, type SagaStepResult } from './saga-metrics';
import { sagaPolicyOf } from './saga-policy';

/** The order changed between the saga's decision and its commit: decide again on fresh state. */
class StaleSagaDecisionError extends Error {
  constructor(orderId: string) {
    super(`order ${orderId} changed while the saga decided`);
    this.name = 'StaleSagaDecisionError';
  }
}

/** Rounds of one drive (each commits once); a saga needs about six, so this only stops a bug from spinning. */
const MAX_ROUNDS = 64;
/** Fresh decisions tried when the order keeps moving under the saga, before leaving it to the sweep. */
const MAX_STALE_RETRIES = 3;
/** Sagas driven at once by one process: bounds database connections and partner calls in flight. */
const MAX_CONCURRENT_DRIVES = 32;

/** Span attributes of saga work (also set on the consumer's span). */
export const SAGA_ID_ATTRIBUTE = 'oms.saga.id';
export const ORDER_ID_ATTRIBUTE = 'oms.order.id';
const SAGA_STEP_ATTRIBUTE = 'oms.saga.step';

/** What successive rounds of one drive carry over. */
interface RoundProgress {
  input: SagaTrigger;
  staleRetries: number;
}

/** A partner call already decided and committed with the saga's start, for the drive to make first. */
interface FirstCall {
  readonly call: PartnerCall;
  readonly orderId: string;
  readonly kind: SagaKind;
}

const toDate = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Drives sagas: load saga row + order -> decideSaga -> commit (order commands, their events,
 * outbox rows and projection together with the saga row, in ONE transaction) -> perform the
 * partner call -> feed its outcome back, until the saga waits for a timer or ends.
 *
 * Within a process one saga is driven by one drive at a time (a queue per saga id). Across
 * replicas the saga row's version decides: the loser of a concurrent commit gets a
 * ConcurrencyError and stops, the winner carries on. A crash leaves nextAttemptAt in the
 * database, and the recovery sweep drives the saga again (same idempotency keys).
 */
@Injectable()
export class SagaRunner {
  private readonly logger = new Logger(SagaRunner.name);
  private readonly policy: SagaPolicy;
  private readonly drives = new Map<string, Promise<void>>();
  private readonly metrics: SagaMetrics;
  private stopping = false;
  private activeDrives = 0;
  private readonly waitingForSlot: (() => void)[] = [];

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly sagas: SagaStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly orders: OrderCommandBus,
    private readonly inventory: InventoryPort,
    private readonly payment: PaymentPort,
    private readonly clock: Clock,
    @Optional() metrics?: SagaMetrics,
  ) {
    this.policy = sagaPolicyOf(config);
    this.metrics = metrics ?? new NoopSagaMetrics();
  }

  /**
   * Creates a saga (and the inbox entry of the message that asked for it) in one commit.
   * Returns false when it already exists or the message was already handled: a redelivered
   * event never starts a second saga.
   */
  start(kind: SagaKind, sagaId: string, orderId: string, inbox?: { readonly consumer: string; readonly messageId: string }): Promise<boolean> {
    return this.insert(kind, sagaId, orderId, inbox, this.clock.now());
  }

  /**
   * start(), with the saga's first step decided in the same commit when that step is a partner
   * call that changes nothing but the saga row (a fulfilment's reserve, a refund's refund), then
   * a drive that makes that call at once: one commit and two reads less per saga. A redelivered
   * message drives the existing saga instead (Resume).
   */
  async startAndDrive(
    kind: SagaKind,
    sagaId: string,
    orderId: string,
    inbox?: { readonly consumer: string; readonly messageId: string },
  ): Promise<boolean> {
    const now = this.clock.now();
    const loaded = await this.orders.load(orderId);
    const initial = initialSagaState(kind, sagaId, orderId);
    const decision = decideSaga({ type: 'Start', now: now.toISOString(), jitter: Math.random() }, initial, loaded?.state ?? initialOrderState(), this.policy);
    const first = decision.status === 'RUNNING' && decision.orderCommands.length === 0 && decision.call ? decision : undefined;
    const created = await this.insert(kind, sagaId, orderId, inbox, now, first);
    if (!created) {
      void this.drive(sagaId, { type: 'Resume' });
      return false;
    }
    void this.drive(sagaId, { type: 'Start' }, first?.call ? { call: first.call, orderId, kind } : undefined);
    return true;
  }

  /** Inserts the saga row (and the inbox entry) in one commit; false when either already exists. */
  private async insert(
    kind: SagaKind,
    sagaId: string,
    orderId: string,
    inbox: { readonly consumer: string; readonly messageId: string } | undefined,
    now: Date,
    decided?: SagaDecision,
  ): Promise<boolean> {
    const record: SagaRecord<SagaState> = {
      sagaId,
      orderId,
      kind,
      status: 'RUNNING',
      state: decided?.state ?? initialSagaState(kind, sagaId, orderId),
      version: 0,
      // Due after one call timeout (the lease of the first call): if this process dies before
      // making it, the sweep drives the saga and the call is made then, with the same key.
      nextAttemptAt: new Date(now.getTime() + this.policy.callTimeoutMs),
      deadlineAt: toDate(decided?.deadlineAt ?? null),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.unitOfWork.commit({ saga: record, ...(inbox ? { inbox } : {}) }, now);
    } catch (error) {
      if (error instanceof ConcurrencyError) return false;
      throw error;
    }
    this.metrics.started(kind);
    return true;
  }

  /** Drives a saga now; queued behind a drive of the same saga already running in this process. */
  drive(sagaId: string, trigger: SagaTrigger = { type: 'Resume' }, first?: FirstCall): Promise<void> {
    const previous = this.drives.get(sagaId) ?? Promise.resolve();
    const current = previous
      .then(() => this.withSlot(() => this.run(sagaId, trigger, first)))
      .catch((error: unknown) => {
        // Left for the recovery sweep: the saga row still says when it is due.
        this.logger.error(`saga ${sagaId} drive failed: ${errorText(error)}`);
      });
    this.drives.set(sagaId, current);
    void current.finally(() => {
      if (this.drives.get(sagaId) === current) this.drives.delete(sagaId);
    });
    return current;
  }

  isDriving(sagaId: string): boolean {
    return this.drives.has(sagaId);
  }

  /** Resolves once no drive is running (drives started meanwhile included). */
  async idle(): Promise<void> {
    while (this.drives.size > 0) await Promise.allSettled([...this.drives.values()]);
  }

  /** Graceful stop: no new partner calls; steps in flight finish and commit their outcome. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.activeDrives >= MAX_CONCURRENT_DRIVES) await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    this.activeDrives++;
    try {
      return await work();
    } finally {
      this.activeDrives--;
      this.waitingForSlot.shift()?.();
    }
  }

  private async run(sagaId: string, trigger: SagaTrigger, first?: FirstCall): Promise<void> {
    const progress: RoundProgress = { input: trigger, staleRetries: 0 };
    if (first) {
      if (this.stopping) return; // the lease in the saga row brings the sweep to it
      const attributes = { [SAGA_ID_ATTRIBUTE]: sagaId, [ORDER_ID_ATTRIBUTE]: first.orderId, 'oms.saga.kind': first.kind };
      progress.input = await inSpan(`saga ${first.kind}`, { attributes }, (span) => this.callPartner(sagaId, first, span));
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // One span per round, child of the context the drive was started in (the consumed
      // message's trace): the order events it commits carry it on through the outbox.
      const outcome = await inSpan('saga step', { attributes: { [SAGA_ID_ATTRIBUTE]: sagaId } }, (span) =>
        this.round(sagaId, progress, span),
      );
      if (outcome === 'settled') return;
    }
    this.logger.error(`saga ${sagaId} did not settle in ${MAX_ROUNDS} rounds; left for the sweep`);
  }

  /** Decide, commit and perform the partner call; 'again' when the saga has a next input to decide on. */
  private async round(sagaId: string, progress: RoundProgress, span: Span): Promise<'again' | 'settled'> {
    const record = (await this.sagas.get(sagaId)) as SagaRecord<SagaState> | null;
    if (!record || record.status !== 'RUNNING') return 'settled';
    span.updateName(`saga ${record.kind}`);
    span.setAttributes({ [ORDER_ID_ATTRIBUTE]: record.orderId, 'oms.saga.kind': record.kind });
    const loaded = await this.orders.load(record.orderId);
    const order = loaded?.state ?? initialOrderState();
    const now = this.clock.now();
    const decision = decideSaga({ ...progress.input, now: now.toISOString(), jitter: Math.random() }, record.state, order, this.policy);
    const next: SagaRecord<SagaState> = {
      ...record,
      status: decision.status,
      state: decision.state,
      nextAttemptAt: toDate(decision.nextAttemptAt),
      deadlineAt: toDate(decision.deadlineAt),
      updatedAt: now,
    };
    try {
      await this.commit(record, next, decision, now, loaded?.events ?? []);
    } catch (error) {
      if (error instanceof ConcurrencyError && error.streamId !== orderStreamId(record.orderId)) {
        this.logger.debug(`saga ${sagaId} was advanced elsewhere; backing off`);
        return 'settled';
      }
      // The order stream moved since this round read it (a conflict on its stream, a stale
      // decision, or a command the fresh order refuses): decide again on a fresh read.
      const orderMoved = error instanceof ConcurrencyError || error instanceof StaleSagaDecisionError || isDomainError(error);
      if (orderMoved && progress.staleRetries < MAX_STALE_RETRIES) {
        progress.staleRetries++;
        return 'again'; // same input, fresh order state
      }
      throw error;
    }
    progress.staleRetries = 0;
    this.reportEnd(record, decision, now);
    if (!decision.call || this.stopping) return 'settled';
    progress.input = await this.callPartner(sagaId, { call: decision.call, orderId: record.orderId, kind: record.kind }, span);
    return 'again';
  }

  /** Makes a partner call the saga committed to; its outcome is the next round's input. */
  private async callPartner(sagaId: string, { call, orderId, kind }: FirstCall, span: Span): Promise<SagaTrigger> {
    span.updateName(`saga ${kind} ${call.step}`);
    span.setAttribute(SAGA_STEP_ATTRIBUTE, call.step);
    const startedAt = Date.now();
    const partnerSpan = { kind: SpanKind.CLIENT, attributes: { [SAGA_STEP_ATTRIBUTE]: call.step } };
    const input = await inSpan(`partner ${call.step}`, partnerSpan, async (callSpan) => {
      const reply = await performPartnerCall(call, { inventory: this.inventory, payment: this.payment }, this.config.saga.callTimeoutMs);
      if (reply.type === 'CallFailed') failSpan(callSpan, new Error(reply.error));
      return reply;
    });
    const result: SagaStepResult = input.type === 'CallSucceeded' ? 'succeeded' : input.type === 'CallRejected' ? 'rejected' : 'failed';
    const durationMs = Date.now() - startedAt;
    this.metrics.stepFinished(call.step, result, durationMs);
    span.setAttribute('oms.saga.step_result', result);
    const detail = input.type === 'CallFailed' ? `: ${input.error}` : input.type === 'CallRejected' ? `: ${input.reason}` : '';
    // One line per step, logged inside its span: the logger adds trace_id and span_id.
    const line = {
      msg: `saga ${sagaId} ${call.step} ${result}${detail}`,
      saga_id: sagaId,
      order_id: orderId,
      saga_kind: kind,
      step: call.step,
      result,
      duration_ms: durationMs,
    };
    if (result === 'failed') this.logger.warn(line);
    else this.logger.log(line);
    return input;
  }

  private async commit(
    record: SagaRecord<SagaState>,
    next: SagaRecord<SagaState>,
    decision: SagaDecision,
    now: Date,
    history: readonly StoredEvent[],
  ): Promise<void> {
    if (decision.orderCommands.length === 0) {
      await this.unitOfWork.commit({ saga: next }, now);
      return;
    }
    await this.orders.execute(record.orderId, decision.orderCommands, {
      metadata: { correlationId: record.sagaId },
      history, // decided on the order as this round read it; the append's version check guards it
      // A conflict means the order moved: the whole saga decision is redone, not just the commands.
      maxConflictRetries: 0,
      alsoCommit: (state) => {
        if (state.version !== decision.orderVersionAfter) throw new StaleSagaDecisionError(record.orderId);
        return { saga: next };
      },
    });
  }

  private reportEnd(record: SagaRecord<SagaState>, decision: SagaDecision, now: Date): void {
    if (decision.status === 'RUNNING') return;
    const durationMs = now.getTime() - new Date(record.createdAt).getTime();
    if (decision.status === 'COMPLETED') this.metrics.completed(record.kind, durationMs);
    else this.metrics.failed(record.kind, durationMs);
    if (decision.outcome === 'canceled') this.metrics.canceled(record.kind);
    if (decision.outcome === 'refunded') this.metrics.refunded(record.kind);
    if (decision.status === 'COMPENSATION_FAILED') {
      this.metrics.compensationFailed(record.kind, record.state.step);
      this.logger.error(`saga ${record.sagaId} of order ${record.orderId}: compensation failed, the order needs an operator`);
    } else {
      this.logger.log(`saga ${record.sagaId} (${record.kind}) of order ${record.orderId} ended ${decision.status} (${decision.outcome ?? 'no outcome'})`);
    }
  }
}
