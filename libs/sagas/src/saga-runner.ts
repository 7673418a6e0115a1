import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import {
  Clock,
  ConcurrencyError,
  InventoryPort,
  OrderStreams,
  PaymentPort,
  SagaStore,
  UnitOfWork,
  decideSaga,
  errorMessage,
  isInboxConflict,
  loadedOrder,
  orderStreamId,
  type LoadedOrder,
  initialSagaState,
  type SagaDecision,
  type SagaKind,
  type SagaPolicy,
  type SagaRecord,
  type SagaState,
  type SagaTrigger,
} from '@oms/domain';
import { activeTraceparent, inSpan } from '@oms/observability';
import { PartnerCaller, type SagaCall } from './partner-call';
import { SagaLifecycleEvents } from './saga-lifecycle.events';
import { MAX_CONCURRENT_DRIVES, SagaDriveQueue } from './saga-drive.queue';
import { NoopSagaMetrics, SagaMetrics } from './saga-metrics';
import { sagaPolicyOf } from './saga-policy';
import { ORDER_ID_ATTRIBUTE, SAGA_ID_ATTRIBUTE, SagaStep, type CommittedStep, type SagaStepState } from './saga-step';

/** Steps of one drive (each commits once); a saga needs about six, so this only stops a bug from spinning. */
const MAX_STEPS = 64;

type InboxEntry = { readonly consumer: string; readonly messageId: string };

/** An insert's outcome: the row as stored, or which part of it existed already (the saga, or the message's inbox entry). */
type InsertOutcome = { readonly record: SagaRecord<SagaState> } | 'exists' | 'handled';

/** A start's outcome: an insert's, or 'started' when its first call was made and committed with it (the drive set off). */
type StartOutcome = InsertOutcome | 'started';

/**
 * A start whose first partner call was made but whose saga could not be written at all. Its
 * message must be handled again until it is, never dead-lettered: the partner may hold what the
 * call did (stock, a refund) with no saga to record or undo it. The saga transport retries it
 * without counting, as an unavailable store.
 */
export class FirstCallNotRecordedError extends Error {
  constructor(sagaId: string, cause: unknown) {
    super(`saga ${sagaId}: its first partner call was made but the saga could not be written: ${errorMessage(cause)}`, { cause });
    this.name = 'FirstCallNotRecordedError';
  }
}

const toDate = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

/**
 * Drives sagas: a step (SagaStep: load, decide, commit the saga row with the order events it
 * decided) -> the partner call it committed to (PartnerCaller) -> the call's outcome is the
 * next step's input, until the saga waits for a timer or ends. SagaDriveQueue decides when a
 * drive runs: one per saga at a time in this process, a bounded number at once, none once stopping.
 *
 * Across replicas the saga row's version decides: the loser of a concurrent commit stops, the
 * winner carries on. A crash leaves nextAttemptAt in the database, and the recovery sweep
 * drives the saga again (same idempotency keys).
 */
@Injectable()
export class SagaRunner {
  private readonly logger = new Logger(SagaRunner.name);
  private readonly policy: SagaPolicy;
  private readonly metrics: SagaMetrics;
  private readonly queue: SagaDriveQueue;
  private readonly step: SagaStep;
  private readonly partners: PartnerCaller;
  private readonly lifecycle: SagaLifecycleEvents;
  /** Set by drain() and stop(): no saga gets its first call in this process any more. */
  private draining = false;

  constructor(
    @Inject(OMS_CONFIG) config: OmsConfig,
    private readonly sagas: SagaStore,
    private readonly unitOfWork: UnitOfWork,
    orders: OrderStreams,
    inventory: InventoryPort,
    payment: PaymentPort,
    private readonly clock: Clock,
    @Optional() metrics?: SagaMetrics,
  ) {
    this.policy = sagaPolicyOf(config);
    this.metrics = metrics ?? new NoopSagaMetrics();
    this.queue = new SagaDriveQueue(MAX_CONCURRENT_DRIVES, (waitMs) => this.metrics.driveWaited(waitMs));
    this.lifecycle = new SagaLifecycleEvents(config.broker.kafka.sagaTopic);
    this.step = new SagaStep(sagas, orders, clock, this.policy, this.metrics, this.lifecycle);
    this.partners = new PartnerCaller({ inventory, payment }, config.saga.callTimeoutMs, this.metrics);
  }

  /**
   * Creates a saga (and the inbox entry of the message that asked for it) in one commit.
   * Returns false when it already exists or the message was already handled: a redelivered
   * event never starts a second saga.
   */
  async start(kind: SagaKind, sagaId: string, orderId: string, inbox?: InboxEntry): Promise<boolean> {
    return typeof (await this.insert(kind, sagaId, orderId, inbox, this.clock.now())) === 'object';
  }

  /**
   * start(), with the saga's first step, when the start decides a partner call that changes
   * nothing but the saga row (a fulfilment's reserve, a refund's refund), made before anything
   * is written: the call, then ONE commit of the new saga row with the call's outcome as decided
   * (its order events, the next call), the message's inbox entry and saga.started; then a drive
   * goes on from what that commit left. Resolves once that commit is made, so the message is
   * acknowledged only then: a crash before it leaves the message to be delivered again, and the
   * call is repeated under the same idempotency key. The saga row and, when there is none, the
   * order are read in one statement (one snapshot: a saga's row commits before or with its order
   * events, so an order that shows them comes with the row): a saga that exists already (a
   * redelivery, another message, a cancellation naming a running saga) gets neither a call nor an
   * insert that must fail; the message is recorded as handled and the saga driven (Resume), and a
   * redelivery of a handled message does nothing. One committed after that snapshot makes the
   * start's own commit conflict, which ends the same way (after its first call, if it made one,
   * which the partner dedupes by its key).
   * While stopping, the start is committed without the call, for the sweep. The inbox entry in
   * the commit is the message's dedup check. Resolves true when this call created the saga.
   */
  async startAndDrive(kind: SagaKind, sagaId: string, orderId: string, inbox?: InboxEntry): Promise<boolean> {
    const now = this.clock.now();
    const read = await this.sagas.getOrReadStream(sagaId, orderStreamId(orderId));
    if (read.saga) return this.startedAlready(sagaId, inbox);
    const order = loadedOrder(orderId, read.stream);
    const initial = initialSagaState(kind, sagaId, orderId);
    const decision = decideSaga({ type: 'Start', now: now.toISOString(), jitter: Math.random() }, initial, order.state, this.policy);
    const first = decision.status === 'RUNNING' && decision.orderEvents.length === 0 && decision.call ? decision : undefined;
    const called = first?.call && !this.draining;
    const outcome = called
      ? await this.queue.run(sagaId, () => this.startWithCall(kind, sagaId, order, first, inbox, now))
      : await this.insert(kind, sagaId, orderId, inbox, now, first);
    if (outcome === 'started') return true;
    if (typeof outcome === 'object') {
      const known = first ? { record: outcome.record, order } : undefined;
      void this.drive(sagaId, { type: 'Start' }, first?.call ? { sagaId, orderId, kind, call: first.call } : undefined, known);
      return true;
    }
    return outcome === 'exists' ? this.startedAlready(sagaId, inbox) : false;
  }

  /** A start whose saga is written already: the message is recorded as handled (unless it was) and the saga driven. */
  private async startedAlready(sagaId: string, inbox: InboxEntry | undefined): Promise<false> {
    if (!inbox || (await this.recordHandled(inbox))) void this.drive(sagaId, { type: 'Resume' });
    return false;
  }

  /** Records a message as handled without other changes; false when it was recorded already (a redelivery). */
  async recordHandled(entry: InboxEntry): Promise<boolean> {
    try {
      await this.unitOfWork.commit({ inbox: entry }, this.clock.now());
      return true;
    } catch (error) {
      if (error instanceof ConcurrencyError) return false;
      throw error;
    }
  }

  /** Drives a saga now; queued behind a drive of the same saga already running in this process. */
  drive(sagaId: string, trigger: SagaTrigger = { type: 'Resume' }, first?: SagaCall, known?: SagaStepState): Promise<void> {
    return this.queue.enqueue(sagaId, () => this.run(sagaId, trigger, first, known));
  }

  isDriving(sagaId: string): boolean {
    return this.queue.isDriving(sagaId);
  }

  /** Resolves once no drive is running (drives started meanwhile included). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Shutdown began: sagas started from now on are committed without their first call (the
   * sweep makes it), while the messages in hand are finished; drives in flight go on until stop().
   */
  drain(): void {
    this.draining = true;
  }

  /** Graceful stop: no new partner calls; steps in flight finish and commit their outcome. */
  stop(): Promise<void> {
    this.draining = true;
    return this.queue.stop();
  }

  /**
   * The first call of a saga not yet written, then its first commit (SagaStep.runFirst); the drive
   * goes on from what that commit left. 'started' once committed (the drive set off), or which
   * part existed already. While stopping, the start is committed without the call.
   */
  private async startWithCall(kind: SagaKind, sagaId: string, order: LoadedOrder, first: SagaDecision, inbox: InboxEntry | undefined, now: Date): Promise<StartOutcome> {
    const { orderId } = order;
    if (this.draining || !first.call) return this.insert(kind, sagaId, orderId, inbox, now, first);
    const record = this.newRecord(kind, sagaId, orderId, now, first);
    const firstCall: SagaCall = { sagaId, orderId, kind, call: first.call };
    const input = await this.firstCall(firstCall);
    let committed: CommittedStep;
    try {
      committed = await this.step.runFirst(record, order, input, { ...(inbox ? { inbox } : {}), outbox: [this.lifecycle.started(record, now)] });
    } catch (error) {
      if (error instanceof ConcurrencyError && error.streamId !== orderStreamId(orderId)) return isInboxConflict(error) ? 'handled' : 'exists';
      // The outcome did not commit with the start (the order kept moving, or the commit failed):
      // commit the start as it stood before the call, and a drive decides the outcome as a step's
      // (and the sweep, if that fails too). A store that is down fails this insert as well, and
      // the message is delivered again.
      this.logger.warn(`saga ${sagaId}: the first call's outcome did not commit with the start (${errorMessage(error)}); started without it`);
      let started: InsertOutcome;
      try {
        // Leased from now: the call may have taken its whole timeout.
        started = await this.insert(kind, sagaId, orderId, inbox, this.clock.now(), first);
      } catch (insertError) {
        throw new FirstCallNotRecordedError(sagaId, insertError);
      }
      if (typeof started !== 'object') return started;
      void this.drive(sagaId, input, undefined, { record: started.record, order });
      return 'started';
    }
    this.metrics.started(kind);
    const next = committed.decision.call;
    if (committed.decision.status === 'RUNNING' && next && !this.queue.stopping) {
      void this.drive(sagaId, { type: 'Resume' }, { sagaId, orderId, kind, call: next }, committed.after);
    }
    return 'started';
  }

  /** The row of a saga about to be written first (version 0), its first call's lease set. */
  private newRecord(kind: SagaKind, sagaId: string, orderId: string, now: Date, decided?: SagaDecision): SagaRecord<SagaState> {
    const traceparent = activeTraceparent(); // the consumed message's trace: a drive the sweep resumes continues it
    return {
      sagaId,
      orderId,
      kind,
      ...(traceparent ? { traceparent } : {}),
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
  }

  /** Inserts the saga row (and the inbox entry, and its saga.started event) in one commit: the row as stored, or which part existed already. */
  private async insert(kind: SagaKind, sagaId: string, orderId: string, inbox: InboxEntry | undefined, now: Date, decided?: SagaDecision): Promise<InsertOutcome> {
    const record = this.newRecord(kind, sagaId, orderId, now, decided);
    try {
      await this.unitOfWork.commit({ saga: record, ...(inbox ? { inbox } : {}), outbox: [this.lifecycle.started(record, now)] }, now);
    } catch (error) {
      if (error instanceof ConcurrencyError) return isInboxConflict(error) ? 'handled' : 'exists';
      throw error;
    }
    this.metrics.started(kind);
    return { record: { ...record, version: 1 } };
  }

  /** A saga's first partner call, in a span of its own named after the saga's kind. */
  private firstCall(call: SagaCall): Promise<SagaTrigger> {
    const attributes = { [SAGA_ID_ATTRIBUTE]: call.sagaId, [ORDER_ID_ATTRIBUTE]: call.orderId, 'oms.saga.kind': call.kind };
    return inSpan(`saga ${call.kind}`, { attributes }, (span) => this.partners.call(call, span));
  }

  /** One drive: (the first call, when the start committed to it) then steps, each followed by the call it committed to. */
  private async run(sagaId: string, trigger: SagaTrigger, first?: SagaCall, known?: SagaStepState): Promise<void> {
    let input = trigger;
    let state = known;
    if (first) {
      if (this.draining) return; // the lease in the saga row brings the sweep to it
      input = await this.firstCall(first);
    }
    for (let steps = 0; steps < MAX_STEPS; steps++) {
      // One span per step, child of the context the drive was started in (the consumed
      // message's trace): the order events it commits carry it on through the outbox.
      const next = await inSpan('saga step', { attributes: { [SAGA_ID_ATTRIBUTE]: sagaId } }, async (span) => {
        const outcome = await this.step.run(sagaId, input, span, state);
        const call = outcome.type === 'committed' ? outcome.decision.call : undefined;
        if (outcome.type !== 'committed' || !call || this.queue.stopping) return null;
        state = outcome.after;
        return this.partners.call({ sagaId, orderId: outcome.record.orderId, kind: outcome.record.kind, call }, span);
      });
      if (next === null) return;
      input = next;
    }
    this.logger.error(`saga ${sagaId} did not settle in ${MAX_STEPS} steps; left for the sweep`);
  }
}
