/** A message waiting to be published. Written in the same transaction as the events it carries. */
export interface OutboxMessage {
  readonly messageId: string;
  readonly topic: string;
  /** Partitioning key on the broker (the order id); also picks the outbox partition. */
  readonly key: string;
  readonly payload: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The id of an event appended by the same commit, whose global position only the store
   * knows: the driver adds it to the payload (a JSON object) as its last member, `"position"`.
   * Not stored: a fetched row carries the finished payload.
   */
  readonly positionOf?: string;
}

export interface PendingOutboxMessage extends OutboxMessage {
  /** Strictly increasing per outbox; publication order within a partition. */
  readonly id: number;
  readonly partition: number;
  readonly attempts: number;
  readonly createdAt: Date;
}

export interface OutboxStats {
  readonly pending: number;
  readonly oldestPendingAt: Date | null;
}

/** A row the broker kept refusing: dead-lettered (status failed), kept with its payload. */
export interface DeadLetteredMessage {
  readonly id: number;
  readonly messageId: string;
  readonly topic: string;
  readonly key: string;
  readonly partition: number;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

/** Dead letters listed or set pending again, oldest first, and how many are left beyond them. */
export interface DeadLetterBatch {
  readonly rows: readonly DeadLetteredMessage[];
  readonly remaining: number;
}

export abstract class Outbox {
  /**
   * Pending rows of the given partitions in id order, at most `limit`, only ids above `afterId`
   * (default 0: all). A relay passes the last id of the round it is still publishing, so the next
   * round neither repeats it nor walks the rows already marked sent below it.
   */
  abstract fetchPending(partitions: readonly number[], limit: number, afterId?: number): Promise<PendingOutboxMessage[]>;
  abstract markSent(ids: readonly number[]): Promise<void>;
  /**
   * Deletes published pending rows instead of marking them (OMS_OUTBOX_RETENTION=0): one small
   * write per row, where marking writes a new copy of it and the prune deletes that later.
   */
  abstract deleteSent(ids: readonly number[]): Promise<void>;
  /** Counts a failed attempt; with `deadLetter` the row is marked failed and never fetched again. */
  abstract recordFailure(id: number, error: string, deadLetter: boolean): Promise<void>;
  /** Deletes sent rows older than `sentBefore`, at most `limit`; returns how many. */
  abstract pruneSent(sentBefore: Date, limit: number): Promise<number>;
  abstract stats(): Promise<OutboxStats>;
  /** The oldest `limit` dead letters (id order); nothing changes. */
  abstract deadLetters(limit: number): Promise<DeadLetterBatch>;
  /**
   * Sets the oldest `limit` dead letters pending again with a fresh attempt count, in one
   * transaction that wakes the relays: they republish them in id order within their partitions.
   */
  abstract requeueDeadLetters(limit: number): Promise<DeadLetterBatch>;
}

/** Stable partition of a key: FNV-1a 32-bit hash mod the partition count (the same in every driver). */
export function outboxPartition(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
