/** A source of "new outbox rows were committed" from outside the relay (e.g. PostgreSQL NOTIFY). */
export interface OutboxWakeUps {
  /** Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/**
 * "New outbox rows were committed": notify() is called after a commit (in process) or on a
 * wake-up from the database, and the relay publishes at once instead of at its next poll.
 */
export class OutboxSignal implements OutboxWakeUps {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
