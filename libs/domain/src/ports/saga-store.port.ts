import type { StoredEvent } from '../events/stored-event';

export type SagaKind = 'fulfilment' | 'cancellation' | 'refund';
/** RESOLVED: closed by an operator (admin resolve), whatever it was doing. */
export type SagaStatus = 'RUNNING' | 'COMPLETED' | 'COMPENSATED' | 'COMPENSATION_FAILED' | 'RESOLVED';

export const SAGA_STATUSES: readonly SagaStatus[] = ['RUNNING', 'COMPLETED', 'COMPENSATED', 'COMPENSATION_FAILED', 'RESOLVED'];

/** A saga instance as persisted: its decider state is opaque JSON to the store. */
export interface SagaRecord<TState = unknown> {
  readonly sagaId: string;
  readonly orderId: string;
  readonly kind: SagaKind;
  readonly status: SagaStatus;
  readonly state: TState;
  /** Optimistic concurrency: incremented on every save. 0 = not yet stored. */
  readonly version: number;
  /** When the recovery sweep should (re)drive the saga; null once it has ended. */
  readonly nextAttemptAt: Date | null;
  readonly deadlineAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** W3C traceparent of what started the saga, set once at insert; a resumed drive continues it. */
  readonly traceparent?: string;
}

/** RUNNING sagas waiting on one of some steps (see SagaStore.pendingStepStats). */
export interface SagaStepStats {
  readonly count: number;
  /** When the one waiting longest began its step; null when none is waiting (or none recorded it). */
  readonly oldestStepStartedAt: Date | null;
}

/** A page of sagas for operators: oldest update first, (updatedAt, sagaId) as the keyset. */
export interface SagaListQuery {
  readonly status?: SagaStatus;
  /** Only sagas last updated strictly before this instant. */
  readonly updatedBefore?: Date;
  /** The last saga of the previous page: this page starts after it. */
  readonly after?: { readonly updatedAt: Date; readonly sagaId: string };
  readonly limit: number;
}

/** What a saga start reads (SagaStore.getOrReadStream): the saga, or when there is none, its order's stream. */
export type SagaOrStream =
  | { readonly saga: SagaRecord; readonly stream?: undefined }
  /** No saga: the stream's events in version order (empty for a stream with none). */
  | { readonly saga: null; readonly stream: readonly StoredEvent[] };

export abstract class SagaStore {
  abstract get(sagaId: string): Promise<SagaRecord | null>;
  /**
   * The saga, or when it does not exist the stream (its order's), in one statement and so from
   * one snapshot: a saga start learns in one round trip whether its saga exists and, if not, the
   * order it decides on. A saga's row commits before (or with) any order event it writes, so a
   * stream read here never shows a saga's events while missing its row.
   */
  abstract getOrReadStream(sagaId: string, streamId: string): Promise<SagaOrStream>;
  abstract listByOrder(orderId: string): Promise<SagaRecord[]>;
  /**
   * Claims up to `limit` RUNNING sagas whose nextAttemptAt <= now, pushing their nextAttemptAt
   * to now + leaseMs so that another replica does not drive them at the same time.
   */
  abstract claimDue(now: Date, limit: number, leaseMs: number): Promise<SagaRecord[]>;
  /** Sagas matching the query, ordered by (updatedAt, sagaId), at most `limit`. */
  abstract list(query: SagaListQuery): Promise<SagaRecord[]>;
  /**
   * Number of RUNNING sagas (the active-sagas gauge, every sweep). Finished sagas are kept, so
   * their count grows without bound: this must not read them.
   */
  abstract countRunning(): Promise<number>;
  /**
   * RUNNING sagas whose pending step is one of `steps`, read from the state's `step` and
   * `stepStartedAt` (ISO-8601) fields: how many, and when the oldest began its step (for the
   * compensations-retrying gauges).
   */
  abstract pendingStepStats(steps: readonly string[]): Promise<SagaStepStats>;
}
