import type { EventMetadata, StoredEvent } from '../events/stored-event';
import type { OrderCommand } from '../order/order.commands';
import type { OrderState } from '../order/order.state';
import type { ChangeSet } from './unit-of-work.port';

export interface OrderCommandOptions {
  /** Metadata stamped on every produced event (occurredAt comes from the Clock when absent). */
  readonly metadata?: Partial<EventMetadata>;
  /**
   * Extra writes committed in the SAME transaction as the order's events (saga state,
   * inbox entry, idempotency completion). Built from the order state the commands were
   * decided on, so a saga step and its order events succeed or fail together.
   */
  readonly alsoCommit?: (state: OrderState, events: readonly StoredEvent[]) => Omit<ChangeSet, 'append' | 'outbox' | 'projection'>;
  /** Bounded retries on a concurrency conflict before ConcurrencyError reaches the caller (default 5). */
  readonly maxConflictRetries?: number;
  /**
   * The order's stream as the caller has just read it (an empty array for an order whose id it
   * has just generated): the first attempt decides on it instead of reading it again (one round
   * trip less). The append's version check still refuses a stream that moved since, and a retry
   * after that conflict reads it.
   */
  readonly history?: readonly StoredEvent[];
}

export interface OrderCommandResult {
  readonly state: OrderState;
  /** Events this call appended (empty when the commands decided nothing). */
  readonly events: readonly StoredEvent[];
}

/**
 * Applies commands to one order: load stream -> decide -> append events + outbox rows +
 * projection (+ alsoCommit) in one transaction, retrying on optimistic-concurrency conflicts.
 * Used by the API handlers and by the sagas. Throws DomainError for rejected commands.
 */
export abstract class OrderCommandBus {
  abstract execute(orderId: string, commands: readonly OrderCommand[], options?: OrderCommandOptions): Promise<OrderCommandResult>;
  /** Current state of an order from its stream (null when it does not exist). */
  abstract load(orderId: string): Promise<{ state: OrderState; events: readonly StoredEvent[] } | null>;
}
