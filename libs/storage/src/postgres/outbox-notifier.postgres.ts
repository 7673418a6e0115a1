import { MinInterval } from '@oms/domain';
import type { SqlExecutor } from './postgres-database';

export const OUTBOX_NOTIFY_CHANNEL = 'oms_outbox';

/**
 * Announces committed outbox rows on `NOTIFY oms_outbox` AFTER the commit, coalescing the
 * partitions of commits that land while a notification is being sent. A NOTIFY inside the
 * committing transaction takes PostgreSQL's notification-queue lock at commit, which
 * serialises every order commit; outside it, the hint costs no writer anything. It is only
 * a wake-up: relays still poll (OMS_OUTBOX_POLL_INTERVAL), so a lost hint delays, never loses.
 *
 * Notifications are at least `intervalMs` apart (OMS_OUTBOX_MIN_ROUND_INTERVAL): a relay starts
 * no round sooner anyway, so a process under load sends one per interval instead of one per
 * commit. The first after a quiet spell goes out at once.
 */
export class OutboxNotifier {
  private pending = new Set<number>();
  private sending: Promise<void> | undefined;
  private readonly spacing: MinInterval;

  constructor(
    private readonly db: SqlExecutor,
    intervalMs = 0,
  ) {
    this.spacing = new MinInterval(intervalMs);
  }

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
        const gap = this.spacing.remaining();
        if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
        this.spacing.started();
        const partitions = [...this.pending].sort((a, b) => a - b).join(',');
        this.pending = new Set();
        await this.db.query('SELECT pg_notify($1, $2)', [OUTBOX_NOTIFY_CHANNEL, partitions]).catch(() => undefined);
      }
    } finally {
      this.sending = undefined;
    }
  }
}
