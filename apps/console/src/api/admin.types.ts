/**
 * The admin API's bodies (/v1/admin, bearer OMS_ADMIN_TOKEN), as the console reads them. Fields
 * the console does not use are ignored; decoding is tolerant so an added field never breaks a page.
 */
export type SagaStatus = 'RUNNING' | 'COMPLETED' | 'COMPENSATED' | 'COMPENSATION_FAILED';

export interface SagaSummary {
  readonly id: string;
  readonly orderId: string;
  readonly kind: string;
  readonly status: string;
  readonly step: string | null;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

/** One step of a saga's history: a partner call (with its idempotency key) or a transition. */
export interface SagaHistoryEntry {
  readonly at: string | null;
  readonly step: string | null;
  readonly what: string;
  readonly attempts: number | null;
  readonly idempotencyKey: string | null;
  readonly error: string | null;
}

export interface SagaDetail extends SagaSummary {
  readonly history: readonly SagaHistoryEntry[];
  /** The decider state as stored (shown raw: it is what the saga decides from). */
  readonly state: unknown;
}

export interface SagaPage {
  readonly sagas: readonly SagaSummary[];
  readonly nextPageToken: string;
}

export interface DeadLetter {
  readonly id: string;
  readonly topic: string | null;
  readonly key: string | null;
  readonly eventType: string | null;
  readonly attempts: number | null;
  readonly lastError: string | null;
  readonly at: string | null;
}

export interface DeadLetterPage {
  readonly total: number;
  readonly deadLetters: readonly DeadLetter[];
}

/** The lists of sagas the admin API offers, as the Sagas page names them. */
export interface SagaList {
  readonly id: string;
  readonly label: string;
  readonly query: Readonly<Record<string, string>>;
}
