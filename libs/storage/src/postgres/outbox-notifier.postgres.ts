import type { SqlExecutor } from './postgres-database';

export const OUTBOX_NOTIFY_CHANNEL = 'oms_outbox';

/**
 * Announces committed outbox rows on `NOTIFY oms_outbox` AFTER the commit, coalescing the
 * partitions of commits that land while a notification is being sent. A NOTIFY inside the
 * committing transaction takes PostgreSQL's notification-queue lock at commit, which
 * serialises every order commit; outside it, the hint costs no writer anything. It is only
 * a wake-up: relays still poll (OMS_OUTBOX_POLL_INTERVAL), so a lost hint delays, never loses.
 */
export class OutboxNotifier {
  private pending = new Set<number>();
  private sending: Promise<void> | undefined;

  constructor(private readonly db: SqlExecutor) {}

  announce(partitions: Iterable<number>): void {
    for (const partition of partitions) this.pending.add(partition);
    if (!this.sending && this.pending.size > 0) this.sending = this.flush();
  }

  /** Resolves once every announced partition has been notified (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const partitions = [...this.pending].sort((a, b) => a - b).join(',');
        this.pending = new Set();
        await this.db.query('SELECT pg_notify($1, $2)', [OUTBOX_NOTIFY_CHANNEL, partitions]).catch(() => undefined);
      }
    } finally {
      this.sending = undefined;
    }
  }
}
