/**
 * JSON of the admin API (`/v1/admin`, order-api, bearer OMS_ADMIN_TOKEN): what operators and the
 * console read. Times are RFC 3339 strings, int64 ids strings, absent values null.
 */
export const SAGA_STATUS_ENUM = ['RUNNING', 'COMPLETED', 'COMPENSATED', 'COMPENSATION_FAILED', 'RESOLVED'] as const;
export type SagaStatusName = (typeof SAGA_STATUS_ENUM)[number];

export const SAGA_KIND_ENUM = ['fulfilment', 'cancellation', 'refund'] as const;
export type SagaKindName = (typeof SAGA_KIND_ENUM)[number];

/** One saga as `GET /v1/admin/sagas` lists it. */
export interface AdminSagaJson {
  readonly id: string;
  readonly orderId: string;
  readonly kind: SagaKindName;
  readonly status: SagaStatusName;
  /** The partner step it waits on (`reserve`, `charge`, `release`, `refund`); null when none. */
  readonly step: string | null;
  /** Transient failures of that step so far. */
  readonly attempts: number;
  readonly lastError: string | null;
  /** When the orchestrator drives it next; null once it has ended. */
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AdminSagaListJson {
  readonly sagas: readonly AdminSagaJson[];
  /** Empty on the last page; bound to the status and olderThan filters it was issued for. */
  readonly nextPageToken: string;
}

/** An order event this saga wrote, in stream order: the saga's step history. */
export interface AdminSagaHistoryEntryJson {
  readonly type: string;
  readonly reason: string;
  readonly occurredAt: string;
  /** The event's version in its order stream. */
  readonly version: number;
}

/** `GET /v1/admin/sagas/{id}`: the saga, its stored state and its step history. */
export interface AdminSagaDetailJson {
  readonly saga: AdminSagaJson & {
    readonly deadlineAt: string | null;
    readonly version: number;
    /** The saga decider's state as stored (JSON). */
    readonly state: unknown;
  };
  readonly history: readonly AdminSagaHistoryEntryJson[];
}

/** Answer of `POST /v1/admin/sagas/{id}/retry` (202) and `/resolve` (200). */
export interface AdminSagaActionJson {
  readonly saga: AdminSagaJson;
}

/** Body of `POST /v1/admin/sagas/{id}/resolve`. */
export interface ResolveSagaBodyJson {
  /** Why it is closed; recorded on the order's timeline. */
  readonly note: string;
  /** Who closes it (default `admin-api`). */
  readonly operator?: string;
}

/** An outbox row the broker kept refusing (status failed). */
export interface AdminDeadLetterJson {
  readonly id: string;
  readonly messageId: string;
  readonly topic: string;
  readonly key: string;
  readonly partition: number;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
}

/** `GET /v1/admin/dead-letters` (listed) and `POST /v1/admin/dead-letters/reprocess` (set pending again, 202). */
export interface AdminDeadLettersJson {
  readonly deadLetters: readonly AdminDeadLetterJson[];
  /** Dead letters left beyond these. */
  readonly remaining: number;
}

/** Body of `POST /v1/admin/dead-letters/reprocess`. */
export interface ReprocessDeadLettersBodyJson {
  /** At most this many, oldest first (default 100, at most 1000). */
  readonly limit?: number;
}

export const ADMIN_LIMITS = {
  defaultPageSize: 50,
  maxPageSize: 500,
  noteMaxLength: 512,
  operatorMaxLength: 64,
  defaultDeadLetterLimit: 100,
  maxDeadLetterLimit: 1000,
} as const;
