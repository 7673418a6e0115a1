import { Inbox } from '@oms/domain';
import { inboxKeyOf, type MemoryDatabase } from './memory-database';

export class MemoryInbox extends Inbox {
  constructor(private readonly db: MemoryDatabase) {
    super();
  }

  async has(consumer: string, messageId: string): Promise<boolean> {
    return this.db.inbox.has(inboxKeyOf(consumer, messageId));
  }
}
