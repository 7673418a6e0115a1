import { UnitOfWork, type ChangeSet, type CommitResult } from '@oms/domain';
import type { MemoryDatabase } from './memory-database';
import {
  applyAppend,
  applyIdempotencyCompletion,
  applyInbox,
  applyOutbox,
  applyProjection,
  applySaga,
  checkAppend,
  checkIdempotencyCompletion,
  checkInbox,
  checkSaga,
} from './memory-writes';

/**
 * Checks every part of the change set, then applies every part, with no await in between:
 * nothing else can run on the single JS thread, so the commit is all or nothing.
 * A conflict anywhere (stream version, saga version, inbox duplicate, idempotency claim no
 * longer in flight) throws ConcurrencyError and writes nothing.
 */
export class MemoryUnitOfWork extends UnitOfWork {
  constructor(private readonly db: MemoryDatabase) {
    super();
  }

  async commit(change: ChangeSet, now: Date): Promise<CommitResult> {
    if (change.append) checkAppend(this.db, change.append);
    if (change.saga) checkSaga(this.db, change.saga);
    if (change.inbox) checkInbox(this.db, change.inbox);
    if (change.idempotency) checkIdempotencyCompletion(this.db, change.idempotency);

    const appended = change.append ? applyAppend(this.db, change.append) : undefined;
    const appendedCount = change.append?.events.length ?? 0;
    const positions = new Map(appendedCount === 0 ? [] : this.db.log.slice(-appendedCount).map((event) => [event.eventId, event.position]));
    if (change.outbox) applyOutbox(this.db, change.outbox, now, positions);
    if (change.projection) applyProjection(this.db, change.projection);
    if (change.idempotency) applyIdempotencyCompletion(this.db, change.idempotency);
    if (change.saga) applySaga(this.db, change.saga);
    if (change.inbox) applyInbox(this.db, change.inbox, now);
    return appended ? { nextVersion: appended.nextVersion, lastPosition: appended.lastPosition } : {};
  }
}
