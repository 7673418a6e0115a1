import { Outbox, type DeadLetterBatch, type DeadLetteredMessage, type OutboxStats, type PendingOutboxMessage } from '@oms/domain';
import { copy, type MemoryDatabase, type MemoryOutboxRow } from './memory-database';

export class MemoryOutbox extends Outbox {
  constructor(
    private readonly db: MemoryDatabase,
    private readonly now: () => Date,
  ) {
    super();
  }

  async fetchPending(partitions: readonly number[], limit: number, afterId = 0): Promise<PendingOutboxMessage[]> {
    const wanted = new Set(partitions);
    const rows: PendingOutboxMessage[] = [];
    // db.outbox is kept in id order (ids are assigned on insert and rows only ever appended).
    for (const row of this.db.outbox) {
      if (rows.length >= limit) break;
      if (row.id > afterId && row.status === 'pending' && wanted.has(row.partition)) rows.push(toPending(row));
    }
    return rows;
  }

  async markSent(ids: readonly number[]): Promise<void> {
    const wanted = new Set(ids);
    const sentAt = this.now();
    for (const row of this.db.outbox) {
      if (wanted.has(row.id) && row.status === 'pending') {
        row.status = 'sent';
        row.sentAt = sentAt;
      }
    }
  }

  async deleteSent(ids: readonly number[]): Promise<void> {
    const wanted = new Set(ids);
    let kept = 0;
    for (const row of this.db.outbox) if (!(wanted.has(row.id) && row.status === 'pending')) this.db.outbox[kept++] = row;
    this.db.outbox.length = kept;
  }

  async recordFailure(id: number, error: string, deadLetter: boolean): Promise<void> {
    const row = this.db.outbox.find((candidate) => candidate.id === id);
    if (!row || row.status !== 'pending') return;
    row.attempts += 1;
    row.lastError = error;
    if (deadLetter) row.status = 'failed';
  }

  async pruneSent(sentBefore: Date, limit: number): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < this.db.outbox.length && deleted < limit; ) {
      const row = this.db.outbox[i];
      if (row.status === 'sent' && row.sentAt !== null && row.sentAt < sentBefore) {
        this.db.outbox.splice(i, 1);
        deleted += 1;
      } else {
        i += 1;
      }
    }
    return deleted;
  }

  async stats(): Promise<OutboxStats> {
    let pending = 0;
    let oldestPendingAt: Date | null = null;
    for (const row of this.db.outbox) {
      if (row.status !== 'pending') continue;
      pending += 1;
      if (oldestPendingAt === null || row.createdAt < oldestPendingAt) oldestPendingAt = row.createdAt;
    }
    return { pending, oldestPendingAt: oldestPendingAt && new Date(oldestPendingAt.getTime()) };
  }

  async deadLetters(limit: number): Promise<DeadLetterBatch> {
    const { rows, total } = deadLettersOf(this.db, limit);
    return { rows: rows.map(toDeadLettered), remaining: total - rows.length };
  }

  async requeueDeadLetters(limit: number): Promise<DeadLetterBatch> {
    const { rows, total } = deadLettersOf(this.db, limit);
    const listed = rows.map(toDeadLettered);
    for (const row of rows) {
      row.status = 'pending';
      row.attempts = 0;
    }
    return { rows: listed, remaining: total - rows.length };
  }
}

/** The memory relay polls (OMS_OUTBOX_POLL_INTERVAL), so a requeued row needs no wake-up. */
function deadLettersOf(db: MemoryDatabase, limit: number): { rows: MemoryOutboxRow[]; total: number } {
  const failed = db.outbox.filter((row) => row.status === 'failed');
  return { rows: failed.slice(0, Math.max(0, limit)), total: failed.length };
}

function toDeadLettered(row: MemoryOutboxRow): DeadLetteredMessage {
  return {
    id: row.id,
    messageId: row.messageId,
    topic: row.topic,
    key: row.key,
    partition: row.partition,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: new Date(row.createdAt.getTime()),
  };
}

function toPending(row: MemoryOutboxRow): PendingOutboxMessage {
  return {
    id: row.id,
    messageId: row.messageId,
    topic: row.topic,
    key: row.key,
    payload: row.payload,
    headers: copy(row.headers),
    partition: row.partition,
    attempts: row.attempts,
    createdAt: new Date(row.createdAt.getTime()),
  };
}
