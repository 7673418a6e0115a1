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
}
