/**
 * "New outbox rows were committed": storage calls notify() after a commit (in process) or
 * on a PostgreSQL NOTIFY, and the relay publishes at once instead of at its next poll.
 */
export class OutboxSignal {
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
