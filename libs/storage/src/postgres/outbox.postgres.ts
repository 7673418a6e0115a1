import { Outbox, type DeadLetterBatch, type DeadLetteredMessage, type OutboxStats, type PendingOutboxMessage } from '@oms/domain';
import { toDate, toNullableDate, toNumber, type PostgresDatabase, type SqlExecutor } from './postgres-database';
import { OUTBOX_NOTIFY_CHANNEL } from './unit-of-work.postgres';

interface DeadLetterRow {
  id: string | number;
  message_id: string;
  topic: string;
  key: string;
  partition: number;
  attempts: number;
  last_error: string | null;
  created_at: Date;
}

const DEAD_LETTER_COLUMNS = 'id, message_id, topic, key, partition, attempts, last_error, created_at';

interface OutboxRow {
  id: string | number;
  message_id: string;
  topic: string;
  key: string;
  partition: number;
  payload: string;
  headers: Record<string, string>;
  attempts: number;
  created_at: Date;
}

/** Outbox rows are written by PostgresUnitOfWork; this is the relay's side of the table. */
export class PostgresOutbox extends Outbox {
  constructor(private readonly db: PostgresDatabase) {
    super();
  }

  async fetchPending(partitions: readonly number[], limit: number, afterId = 0): Promise<PendingOutboxMessage[]> {
    if (partitions.length === 0 || limit <= 0) return [];
    // id > $3 starts the scan of the pending index past the entries of rows just marked sent.
    const { rows } = await this.db.query<OutboxRow>(
      `SELECT id, message_id, topic, key, partition, payload, headers, attempts, created_at
       FROM outbox WHERE status = 'pending' AND partition = ANY($1::int[]) AND id > $3
       ORDER BY id LIMIT $2`,
      [[...partitions], limit, afterId],
    );
    return rows.map((row) => ({
      id: toNumber(row.id),
      messageId: row.message_id,
      topic: row.topic,
      key: row.key,
      payload: row.payload,
      headers: row.headers,
      partition: row.partition,
      attempts: row.attempts,
      createdAt: toDate(row.created_at),
    }));
  }

  async markSent(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`UPDATE outbox SET status = 'sent', sent_at = now() WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [
      [...ids],
    ]);
  }

  async deleteSent(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [[...ids]]);
  }

  async recordFailure(id: number, error: string, deadLetter: boolean): Promise<void> {
    await this.db.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
              status = CASE WHEN $3::boolean THEN 'failed' ELSE status END
       WHERE id = $1 AND status = 'pending'`,
      [id, error, deadLetter],
    );
  }

  async pruneSent(sentBefore: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    // Bounded batches keep each delete short; SKIP LOCKED lets concurrent pruners share the work.
    const { rowCount } = await this.db.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE status = 'sent' AND sent_at < $1
         ORDER BY sent_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [sentBefore, limit],
    );
    return rowCount;
  }

  async stats(): Promise<OutboxStats> {
    const { rows } = await this.db.query<{ pending: number; oldest: Date | null }>(
      `SELECT count(*)::int AS pending, min(created_at) AS oldest FROM outbox WHERE status = 'pending'`,
    );
    return { pending: rows[0]?.pending ?? 0, oldestPendingAt: toNullableDate(rows[0]?.oldest) };
  }

  async deadLetters(limit: number): Promise<DeadLetterBatch> {
    const { rows } = await this.db.query<DeadLetterRow>(
      `SELECT ${DEAD_LETTER_COLUMNS} FROM outbox WHERE status = 'failed' ORDER BY id LIMIT $1`,
      [Math.max(0, limit)],
    );
    return { rows: rows.map(toDeadLettered), remaining: (await countDeadLetters(this.db)) - rows.length };
  }

  /**
   * One transaction: the rows are locked (SKIP LOCKED: two operators at once requeue disjoint
   * rows), set pending with a fresh attempt count, and the relays of their partitions are woken
   * by a NOTIFY that is delivered only when it commits. The rows come back as they were dead-lettered.
   */
  async requeueDeadLetters(limit: number): Promise<DeadLetterBatch> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<DeadLetterRow>(
        `WITH dead AS (
           SELECT ${DEAD_LETTER_COLUMNS} FROM outbox WHERE status = 'failed' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE outbox o SET status = 'pending', attempts = 0 FROM dead WHERE o.id = dead.id
         RETURNING ${DEAD_LETTER_COLUMNS.split(', ').map((column) => `dead.${column}`).join(', ')}`,
        [Math.max(0, limit)],
      );
      if (rows.length > 0) {
        const partitions = [...new Set(rows.map((row) => row.partition))].sort((a, b) => a - b).join(',');
        await tx.query('SELECT pg_notify($1, $2)', [OUTBOX_NOTIFY_CHANNEL, partitions]);
      }
      const requeued = rows.map(toDeadLettered).sort((a, b) => a.id - b.id);
      return { rows: requeued, remaining: await countDeadLetters(tx) };
    });
  }
}

async function countDeadLetters(db: SqlExecutor): Promise<number> {
  const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM outbox WHERE status = 'failed'`);
  return rows[0]?.count ?? 0;
}

function toDeadLettered(row: DeadLetterRow): DeadLetteredMessage {
  return {
    id: toNumber(row.id),
    messageId: row.message_id,
    topic: row.topic,
    key: row.key,
    partition: row.partition,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
  };
}
