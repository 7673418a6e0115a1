import {
  commitConflictId,
  ConcurrencyError,
  outboxPartition,
  type AppendRequest,
  type AppendResult,
  type IdempotencyCompletion,
  type OrderView,
  type OutboxMessage,
  type SagaRecord,
  type StoredEvent,
} from '@oms/domain';
import { DuplicateEventError } from '../storage.errors';
import { copy, idempotencyRecordOf, inboxKeyOf, type MemoryDatabase } from './memory-database';

/**
 * Every write of the memory drivers, split into a check (throws, changes nothing) and an
 * apply (cannot fail). UnitOfWork runs all checks before any apply, with no await in
 * between, which is what makes a commit atomic on a single-threaded runtime.
 */

export function checkAppend(db: MemoryDatabase, request: AppendRequest): void {
  const actual = db.streamVersion(request.streamId);
  if (actual !== request.expectedVersion) {
    throw new ConcurrencyError(request.streamId, request.expectedVersion, actual);
  }
  const seen = new Set<string>();
  for (const event of request.events) {
    if (db.eventIds.has(event.eventId) || seen.has(event.eventId)) throw new DuplicateEventError(event.eventId);
    seen.add(event.eventId);
  }
}

export function applyAppend(db: MemoryDatabase, request: AppendRequest): AppendResult {
  const stream = db.streams.get(request.streamId) ?? [];
  let version = request.expectedVersion;
  let position = 0;
  for (const event of request.events) {
    position = db.nextPosition();
    version += 1;
    const stored: StoredEvent = { ...copy(event), streamId: request.streamId, version, position };
    stream.push(stored);
    db.log.push(stored);
    db.eventIds.add(event.eventId);
  }
  if (stream.length > 0) db.streams.set(request.streamId, stream);
  return { nextVersion: version, lastPosition: position };
}

/** `positions`: event id -> global position of the events appended by the same commit. */
export function applyOutbox(db: MemoryDatabase, messages: readonly OutboxMessage[], now: Date, positions: ReadonlyMap<string, number> = new Map()): void {
  for (const message of messages) {
    const position = message.positionOf === undefined ? undefined : positions.get(message.positionOf);
    db.outbox.push({
      id: db.nextOutboxId(),
      messageId: message.messageId,
      topic: message.topic,
      key: message.key,
      payload: position === undefined ? message.payload : withPosition(message.payload, position),
      headers: copy(message.headers),
      partition: outboxPartition(message.key, db.outboxPartitions),
      createdAt: new Date(now.getTime()),
      status: 'pending',
      attempts: 0,
      lastError: null,
      sentAt: null,
    });
  }
}

/** Adds `"position":N` as the last member of a JSON object body, as the PostgreSQL driver does. */
function withPosition(payload: string, position: number): string {
  return payload.endsWith('}') ? `${payload.slice(0, -1)},"position":${position}}` : payload;
}

export function applyProjection(db: MemoryDatabase, view: OrderView): void {
  db.orders.set(view.orderId, copy(view));
}

/** The completion must finish a claim that is still in flight: a completed (or missing) one means another request owns the key. */
export function checkIdempotencyCompletion(db: MemoryDatabase, completion: IdempotencyCompletion): void {
  const record = idempotencyRecordOf(db, completion.key, completion.scope);
  if (!record || record.response !== null) {
    throw new ConcurrencyError(commitConflictId.idempotency(completion.scope, completion.key), 0, record ? 1 : 0);
  }
}

export function applyIdempotencyCompletion(db: MemoryDatabase, completion: IdempotencyCompletion): void {
  const record = idempotencyRecordOf(db, completion.key, completion.scope);
  if (record) record.response = copy(completion.response);
}

export function checkSaga(db: MemoryDatabase, saga: SagaRecord): void {
  const stored = db.sagas.get(saga.sagaId);
  const actual = stored?.version ?? 0;
  if (actual !== saga.version) throw new ConcurrencyError(commitConflictId.saga(saga.sagaId), saga.version, actual);
}

export function applySaga(db: MemoryDatabase, saga: SagaRecord): number {
  const version = saga.version + 1;
  // The traceparent is written once, at insert, as the PostgreSQL driver does.
  const traceparent = db.sagas.get(saga.sagaId)?.traceparent ?? (saga.version === 0 ? saga.traceparent : undefined);
  const { traceparent: _given, ...rest } = copy(saga);
  db.sagas.set(saga.sagaId, { ...rest, version, ...(traceparent ? { traceparent } : {}) });
  return version;
}

/** A message already in the inbox fails the whole commit, so a redelivered message never applies twice. */
export function checkInbox(db: MemoryDatabase, entry: { consumer: string; messageId: string }): void {
  if (db.inbox.has(inboxKeyOf(entry.consumer, entry.messageId))) {
    throw new ConcurrencyError(commitConflictId.inbox(entry.consumer, entry.messageId), 0, 1);
  }
}

export function applyInbox(db: MemoryDatabase, entry: { consumer: string; messageId: string }, now: Date): void {
  db.inbox.set(inboxKeyOf(entry.consumer, entry.messageId), new Date(now.getTime()));
}
