import type { EventMetadata, StoredEvent } from '../events/stored-event';
import type { OrderCommand } from '../order/order.commands';
import type { OrderEvent } from '../order/order.events';
import type { OrderState } from '../order/order.state';
import type { ChangeSet, CommitResult } from './unit-of-work.port';

/** An order's stream as read and the state folded from it (an unknown order: no events, `exists` false, version 0). */
export interface LoadedOrder {
  readonly orderId: string;
  readonly state: OrderState;
  readonly events: readonly StoredEvent[];
}

/**
 * One decision on an order, as data: the state after it, its events stamped with ids and
 * metadata, and the change that commits them (append at the version read, outbox rows,
 * projection; empty when nothing was decided). Callers spread their own parts (idempotency
 * completion, saga row, inbox entry) into `change` and commit it once.
 */
export interface PreparedOrderChange {
  readonly state: OrderState;
  readonly events: readonly StoredEvent[];
  readonly change: ChangeSet;
}

/** What one attempt of `write` commits, and what the caller gets once it did. */
export interface OrderWrite<T> {
  readonly change: ChangeSet;
  readonly result: T;
}

export interface OrderWriteOptions {
  /** Version conflicts redone on a fresh read before the ConcurrencyError reaches the caller (default 5). */
  readonly maxConflictRetries?: number;
  /**
   * The order's stream as the caller has just read it (an empty array for an order whose id it
   * has just generated): the first attempt decides on it instead of reading it (one round trip
   * less). The append's version check still refuses a stream that moved; the retry reads it.
   */
  readonly history?: readonly StoredEvent[];
}

/**
 * The order streams, read and written: load a stream, prepare the change of a decision
 * (`decide` runs the order decider on commands; `record` stamps events a caller already
 * decided, e.g. a saga), commit a change in one transaction. `write` is the one way to run
 * load -> decide -> commit with bounded retries on version conflicts. Used by the API
 * handlers and the sagas. Decisions throw DomainError; a lost race throws ConcurrencyError.
 */
export abstract class OrderStreams {
  abstract load(orderId: string): Promise<LoadedOrder>;
  /** Decides the commands on the loaded order. Pure apart from stamping ids, time and trace. */
  abstract decide(order: LoadedOrder, commands: readonly OrderCommand[], metadata?: Partial<EventMetadata>): PreparedOrderChange;
  /** Prepares events already decided on `order` (appended at the version it was read at). */
  abstract record(order: LoadedOrder, events: readonly OrderEvent[], metadata?: Partial<EventMetadata>): PreparedOrderChange;
  /** Commits one change in ONE transaction; ConcurrencyError (nothing written) when a stream or saga row moved. */
  abstract commit(change: ChangeSet): Promise<CommitResult>;
  /**
   * Loads the order, hands it to `attempt` (which decides and returns the change to commit) and
   * commits that change; on a version conflict all of it is redone on a fresh read, at most
   * `maxConflictRetries` times, then the ConcurrencyError is thrown.
   */
  abstract write<T>(orderId: string, attempt: (order: LoadedOrder) => OrderWrite<T>, options?: OrderWriteOptions): Promise<T>;
  /** `write` of `decide(order, commands)`: for callers that commit nothing but the order's events. */
  abstract execute(
    orderId: string,
    commands: readonly OrderCommand[],
    options?: OrderWriteOptions & { readonly metadata?: Partial<EventMetadata> },
  ): Promise<{ readonly state: OrderState; readonly events: readonly StoredEvent[] }>;
}
