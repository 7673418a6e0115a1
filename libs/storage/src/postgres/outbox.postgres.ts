import { Outbox, type OutboxStats, type PendingOutboxMessage } from '@oms/domain';
import { toDate, toNullableDate, toNumber, type PostgresDatabase } from './postgres-database';

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
}
