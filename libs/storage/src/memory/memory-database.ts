import type { IdempotencyClaim, OrderView, SagaRecord, StoredEvent, StoredResponse } from '@oms/domain';

/** An outbox row as the memory database keeps it (status and bookkeeping included). */
export interface MemoryOutboxRow {
  readonly id: number;
  readonly messageId: string;
  readonly topic: string;
  readonly key: string;
  readonly payload: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly createdAt: Date;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}

export interface MemoryIdempotencyRecord {
  readonly key: string;
  readonly scope: string;
  readonly requestHash: IdempotencyClaim['requestHash'];
  readonly createdAt: Date;
  lockedAt: Date;
  response: StoredResponse | null;
}

/**
 * The tables of one in-memory database, shared by every memory driver of one StorageDrivers
 * set so that a UnitOfWork commit is visible to all ports at once, as one database would be.
 */
export class MemoryDatabase {
  readonly streams = new Map<string, StoredEvent[]>();
  /** Every event in global position order. */
  readonly log: StoredEvent[] = [];
  readonly eventIds = new Set<string>();
  readonly outbox: MemoryOutboxRow[] = [];
  readonly orders = new Map<string, OrderView>();
  /** By key alone: one key space, a key names one request. */
  readonly idempotency = new Map<string, MemoryIdempotencyRecord>();
  readonly sagas = new Map<string, SagaRecord>();
  /** Handled messages (inboxKeyOf) and when. */
  readonly inbox = new Map<string, Date>();
  private lastPosition = 0;
  private lastOutboxId = 0;
  closed = false;

  constructor(readonly outboxPartitions: number) {}

  nextPosition(): number {
    return ++this.lastPosition;
  }

  nextOutboxId(): number {
    return ++this.lastOutboxId;
  }

  streamVersion(streamId: string): number {
    return this.streams.get(streamId)?.length ?? 0;
  }
}

/** The record a claim holds: the key's, if it was claimed for this scope. */
export const idempotencyRecordOf = (db: MemoryDatabase, key: string, scope: string): MemoryIdempotencyRecord | undefined => {
  const record = db.idempotency.get(key);
  return record?.scope === scope ? record : undefined;
};
export const inboxKeyOf = (consumer: string, messageId: string): string => JSON.stringify([consumer, messageId]);

/**
 * Values cross the driver boundary as copies, as they would through a database: a caller
 * mutating what it passed in or got back must not change stored state.
 */
export const copy = <T>(value: T): T => structuredClone(value);
