import { Inbox } from '@oms/domain';
import { inboxKeyOf, type MemoryDatabase } from './memory-database';

export class MemoryInbox extends Inbox {
  constructor(private readonly db: MemoryDatabase) {
    super();
  }

  async has(consumer: string, messageId: string): Promise<boolean> {
    return this.db.inbox.has(inboxKeyOf(consumer, messageId));
  }

  async deleteProcessedBefore(processedBefore: Date, limit: number): Promise<number> {
    let deleted = 0;
    for (const [key, processedAt] of this.db.inbox) {
      if (deleted >= limit) break;
      if (processedAt < processedBefore && this.db.inbox.delete(key)) deleted++;
    }
    return deleted;
  }
}
