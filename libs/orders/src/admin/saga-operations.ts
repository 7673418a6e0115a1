import { Injectable } from '@nestjs/common';
import {
  Clock,
  DomainError,
  OrderStreams,
  Outbox,
  SagaStore,
  type ChangeSet,
  type DeadLetterBatch,
  type SagaRecord,
  type SagaStatus,
  type StoredEvent,
} from '@oms/domain';
import { decodeSagaPageToken, encodeSagaPageToken, type SagaListFilter } from './saga-page-token';

export interface SagaListRequest {
  readonly status?: SagaStatus;
  /** Only sagas not updated for this long. */
  readonly olderThanMs?: number;
  readonly pageSize: number;
  readonly pageToken?: string;
  /** Only the sagas of this order: a handful, answered on one page (the console's order page). */
  readonly orderId?: string;
}

export interface SagaPage {
  readonly sagas: readonly SagaRecord[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

/** The saga and the order events that name it (its step history), in stream order. */
export interface SagaDetail {
  readonly saga: SagaRecord;
  readonly history: readonly StoredEvent[];
}

export interface SagaResolution {
  readonly note: string;
  readonly resolvedBy: string;
}

/** More to commit with a saga change (an idempotency completion), made from the saga as it will be stored. */
export type AlsoCommit = (saga: SagaRecord) => Pick<ChangeSet, 'idempotency'>;

const RETRYABLE: ReadonlySet<SagaStatus> = new Set(['RUNNING', 'COMPENSATION_FAILED']);
const RESOLVABLE: ReadonlySet<SagaStatus> = RETRYABLE;

/**
 * What operators do to sagas and outbox dead letters: ONE implementation behind the admin REST
 * API and the migrator CLI. Saga rows change only through version-checked commits, so an
 * orchestrator driving the same saga meanwhile makes the operator's change fail (409), never
 * both. Retry leaves the work to the orchestrator (its sweep drives the saga at once); resolve
 * closes the saga and records who and why on the order, in ONE commit.
 */
@Injectable()
export class SagaOperations {
  constructor(
    private readonly sagas: SagaStore,
    private readonly orders: OrderStreams,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  async list(request: SagaListRequest): Promise<SagaPage> {
    if (request.orderId !== undefined) return this.listOfOrder(request.orderId, request);
    const filter: SagaListFilter = { status: request.status, olderThanMs: request.olderThanMs };
    const after = request.pageToken ? decodeSagaPageToken(request.pageToken, filter) : undefined;
    const updatedBefore = request.olderThanMs === undefined ? undefined : new Date(this.clock.now().getTime() - request.olderThanMs);
    // One more than asked tells whether another page follows.
    const rows = await this.sagas.list({ status: request.status, updatedBefore, after, limit: request.pageSize + 1 });
    const sagas = rows.slice(0, request.pageSize);
    const last = sagas[sagas.length - 1];
    const nextPageToken = rows.length > request.pageSize && last ? encodeSagaPageToken({ updatedAt: last.updatedAt, sagaId: last.sagaId }, filter) : '';
    return { sagas, nextPageToken };
  }

  private async listOfOrder(orderId: string, request: SagaListRequest): Promise<SagaPage> {
    const updatedBefore = request.olderThanMs === undefined ? undefined : this.clock.now().getTime() - request.olderThanMs;
    const sagas = (await this.sagas.listByOrder(orderId))
      .filter((saga) => request.status === undefined || saga.status === request.status)
      .filter((saga) => updatedBefore === undefined || saga.updatedAt.getTime() < updatedBefore)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.sagaId.localeCompare(b.sagaId));
    return { sagas, nextPageToken: '' };
  }

  async show(sagaId: string): Promise<SagaDetail> {
    const saga = await this.find(sagaId);
    const order = await this.orders.load(saga.orderId);
    const history = order.events.filter((event) => (event.data as { sagaId?: unknown } | null)?.sagaId === sagaId);
    return { saga, history };
  }

  /**
   * Run now: a RUNNING saga becomes due at once; a COMPENSATION_FAILED one runs again and, from
   * the order as it is, retries the compensation it could not finish (same partner keys).
   */
  async retry(sagaId: string, also?: AlsoCommit): Promise<SagaRecord> {
    const saga = await this.find(sagaId);
    if (!RETRYABLE.has(saga.status)) throw notAllowed(saga, 'retried');
    const now = this.clock.now();
    // A failed compensation starts its step afresh: new attempt count and start time (the retrying-too-long gauge reads it).
    const state = saga.status === 'COMPENSATION_FAILED' ? freshStep(saga.state) : saga.state;
    const next: SagaRecord = { ...saga, status: 'RUNNING', state, nextAttemptAt: now, updatedAt: now };
    await this.orders.commit({ saga: next, ...also?.(stored(next)) });
    return stored(next);
  }

  /** Closes a RUNNING or COMPENSATION_FAILED saga (RESOLVED); the order records OrderSagaResolved. */
  async resolve(sagaId: string, resolution: SagaResolution, also?: AlsoCommit): Promise<SagaRecord> {
    const saga = await this.find(sagaId);
    if (!RESOLVABLE.has(saga.status)) throw notAllowed(saga, 'resolved');
    return this.orders.write(saga.orderId, (order) => {
      const now = this.clock.now();
      const next: SagaRecord = { ...saga, status: 'RESOLVED', nextAttemptAt: null, deadlineAt: null, updatedAt: now };
      const { change } = this.orders.decide(order, [{ type: 'ResolveSaga', data: { sagaId, ...resolution } }]);
      return { change: { ...change, saga: next, ...also?.(stored(next)) }, result: stored(next) };
    });
  }

  deadLetters(limit: number): Promise<DeadLetterBatch> {
    return this.outbox.deadLetters(limit);
  }

  reprocessDeadLetters(limit: number): Promise<DeadLetterBatch> {
    return this.outbox.requeueDeadLetters(limit);
  }

  private async find(sagaId: string): Promise<SagaRecord> {
    const saga = await this.sagas.get(sagaId);
    if (!saga) throw new DomainError('SAGA_NOT_FOUND', `saga ${sagaId} does not exist`);
    return saga;
  }
}

/** The saga state (SagaStateBase fields) without a pending step. */
const freshStep = (state: unknown): unknown =>
  typeof state === 'object' && state !== null ? { ...state, step: null, attempts: 0, stepStartedAt: null, lastError: null } : state;

/** The record as the commit stores it: one version on. */
const stored = (saga: SagaRecord): SagaRecord => ({ ...saga, version: saga.version + 1 });

const notAllowed = (saga: SagaRecord, what: string): DomainError =>
  new DomainError('ILLEGAL_TRANSITION', `saga ${saga.sagaId} is ${saga.status}: only RUNNING or COMPENSATION_FAILED sagas can be ${what}`);
