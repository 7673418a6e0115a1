import { SystemClock, type Clock } from '@oms/domain';
import type { StorageDrivers } from '../storage-drivers';
import { MemoryEventStore } from './event-store.memory';
import { MemoryIdempotencyStore } from './idempotency-store.memory';
import { MemoryInbox } from './inbox.memory';
import { MemoryDatabase } from './memory-database';
import { MemoryOrderProjection } from './order-projection.memory';
import { MemoryOutbox } from './outbox.memory';
import { MemorySagaStore } from './saga-store.memory';
import { MemoryUnitOfWork } from './unit-of-work.memory';

export interface MemoryDriversOptions {
  /** Outbox partitions (OMS_OUTBOX_PARTITIONS); default 16. */
  readonly partitions?: number;
  /** Stamps `sentAt` of outbox rows (markSent carries no time); default the system clock. */
  readonly clock?: Clock;
}

/** Every storage port over ONE in-memory database: the embedded driver of a single process. */
export function createMemoryDrivers(options: MemoryDriversOptions = {}): StorageDrivers {
  const partitions = options.partitions ?? 16;
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`outbox partitions must be a positive integer, got ${partitions}`);
  const clock = options.clock ?? new SystemClock();
  const db = new MemoryDatabase(partitions);
  return {
    driver: 'memory',
    eventStore: new MemoryEventStore(db),
    outbox: new MemoryOutbox(db, () => clock.now()),
    projection: new MemoryOrderProjection(db),
    idempotency: new MemoryIdempotencyStore(db),
    sagas: new MemorySagaStore(db),
    inbox: new MemoryInbox(db),
    unitOfWork: new MemoryUnitOfWork(db),
    async ping() {
      if (db.closed) throw new Error('memory storage is closed');
    },
    async close() {
      db.closed = true;
    },
  };
}
