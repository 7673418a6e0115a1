import type { TransactionalSql } from './sql-executor';

export interface DeadLetteredRow {
  readonly id: number;
  readonly messageId: string;
  readonly topic: string;
  readonly key: string;
  readonly partition: number;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

export interface OutboxDeadLettersResult {
  /** The rows listed (dry run) or set pending again (--execute), oldest first. */
  readonly rows: readonly DeadLetteredRow[];
  /** Dead-lettered rows left beyond the limit. */
  readonly remaining: number;
}

interface Row {
  id: string | number;
  message_id: string;
  topic: string;
  key: string;
  partition: number;
  attempts: number;
  last_error: string | null;
  created_at: Date;
}

const COLUMNS = 'id, message_id, topic, key, partition, attempts, last_error, created_at';

/**
 * `outbox dead-letters reprocess`: the relay's dead letters are outbox rows with status 'failed'
 * (the broker refused them maxAttempts times; the row keeps the payload). A dry run lists the oldest `limit`; `execute` sets them
 * pending with a fresh attempt count, in one transaction that NOTIFYs the relays, which then
 * publish them in id order within their partitions.
 */
export async function reprocessOutboxDeadLetters(
  db: TransactionalSql,
  options: { readonly execute: boolean; readonly limit: number; readonly notifyChannel: string },
): Promise<OutboxDeadLettersResult> {
  const rows = options.execute
    ? await db.transaction(async (tx) => {
        const { rows: reset } = await tx.query<Row>(
          `UPDATE outbox SET status = 'pending', attempts = 0
           WHERE id IN (SELECT id FROM outbox WHERE status = 'failed' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING ${COLUMNS}`,
          [options.limit],
        );
        if (reset.length > 0) {
          const partitions = [...new Set(reset.map((row) => row.partition))].sort((a, b) => a - b).join(',');
          await tx.query('SELECT pg_notify($1, $2)', [options.notifyChannel, partitions]);
        }
        return reset;
      })
    : (await db.query<Row>(`SELECT ${COLUMNS} FROM outbox WHERE status = 'failed' ORDER BY id LIMIT $1`, [options.limit])).rows;
  const { rows: left } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM outbox WHERE status = 'failed'`);
  const listed = rows.map(toDeadLettered).sort((a, b) => a.id - b.id);
  return { rows: listed, remaining: options.execute ? (left[0]?.count ?? 0) : Math.max(0, (left[0]?.count ?? 0) - listed.length) };
}

function toDeadLettered(row: Row): DeadLetteredRow {
  return {
    id: Number(row.id),
    messageId: row.message_id,
    topic: row.topic,
    key: row.key,
    partition: row.partition,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(String(row.created_at)),
  };
}
