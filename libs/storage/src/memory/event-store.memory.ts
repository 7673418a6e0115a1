import { EventStore, type AppendRequest, type AppendResult, type StoredEvent } from '@oms/domain';
import { copy, type MemoryDatabase } from './memory-database';
import { applyAppend, checkAppend } from './memory-writes';

export class MemoryEventStore extends EventStore {
  constructor(private readonly db: MemoryDatabase) {
    super();
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    checkAppend(this.db, request);
    return applyAppend(this.db, request);
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return copy(this.db.streams.get(streamId) ?? []);
  }

  async readAll(afterPosition: number, limit: number): Promise<StoredEvent[]> {
    // Positions are 1..n without gaps here, so the first event after `afterPosition` sits at that index.
    const start = Math.max(0, Math.floor(afterPosition));
    return copy(this.db.log.slice(start, start + Math.max(0, limit)));
  }
}
