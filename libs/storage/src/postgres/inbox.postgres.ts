import { Inbox } from '@oms/domain';
import type { PostgresDatabase } from './postgres-database';

/** processed_messages rows are inserted by PostgresUnitOfWork; a duplicate fails that commit. */
export class PostgresInbox extends Inbox {
  constructor(private readonly db: PostgresDatabase) {
    super();
  }

  async has(consumer: string, messageId: string): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2', [
      consumer,
      messageId,
    ]);
    return rowCount > 0;
  }

  async deleteProcessedBefore(processedBefore: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    // Oldest first through the processed_at index, so the last batch of a run (none left) reads
    // no retained row. SKIP LOCKED: concurrent cleanups share the work; by ctid: no second
    // lookup of the rows found.
    const { rowCount } = await this.db.query(
      `DELETE FROM processed_messages WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM processed_messages WHERE processed_at < $1
         ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED))`,
      [processedBefore, limit],
    );
    return rowCount;
  }
}
