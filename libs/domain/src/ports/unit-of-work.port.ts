import type { AppendRequest } from './event-store.port';
import type { IdempotencyCompletion } from './idempotency-store.port';
import type { OrderView } from './order-projection.port';
import type { OutboxMessage } from './outbox.port';
import type { SagaRecord } from './saga-store.port';

/**
 * Everything one mutation writes. A driver commits all of it in ONE transaction or
 * nothing: this is what makes "a success response means events and outbox rows are
 * committed" true.
 */
export interface ChangeSet {
  readonly append?: AppendRequest;
  readonly outbox?: readonly OutboxMessage[];
  readonly projection?: OrderView;
  readonly idempotency?: IdempotencyCompletion;
  /** Saga upsert; `version` is the version read (0 = insert). Conflict -> ConcurrencyError. */
  readonly saga?: SagaRecord;
  /** Inbox entry for the message whose handling produced this change. */
  readonly inbox?: { readonly consumer: string; readonly messageId: string };
}

export interface CommitResult {
  readonly nextVersion?: number;
  readonly lastPosition?: number;
}

export abstract class UnitOfWork {
  /** Throws ConcurrencyError on a stale stream or saga version; writes nothing then. */
  abstract commit(change: ChangeSet, now: Date): Promise<CommitResult>;
}
