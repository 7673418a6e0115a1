import {
  IdempotencyStore,
  type IdempotencyBeginOptions,
  type IdempotencyBeginResult,
  type IdempotencyClaim,
  type IdempotencyCompletion,
} from '@oms/domain';
import { copy, idempotencyRecordOf, type MemoryDatabase } from './memory-database';

/** One record per key: a key names one request, whatever its operation, order or body. */
export class MemoryIdempotencyStore extends IdempotencyStore {
  constructor(private readonly db: MemoryDatabase) {
    super();
  }

  async begin(claim: IdempotencyClaim, now: Date, options: IdempotencyBeginOptions = {}): Promise<IdempotencyBeginResult> {
    const outcome = this.claim(claim, now);
    if (outcome.outcome !== 'started' || options.readStream === undefined) return outcome;
    return { outcome: 'started', stream: copy(this.db.streams.get(options.readStream) ?? []) };
  }

  private claim(claim: IdempotencyClaim, now: Date): IdempotencyBeginResult {
    const record = this.db.idempotency.get(claim.key);
    if (!record) {
      this.db.idempotency.set(claim.key, {
        key: claim.key,
        scope: claim.scope,
        requestHash: claim.requestHash,
        createdAt: new Date(now.getTime()),
        lockedAt: new Date(now.getTime()),
        response: null,
      });
      return { outcome: 'started' };
    }
    if (record.scope !== claim.scope || record.requestHash !== claim.requestHash) return { outcome: 'mismatch', scope: record.scope };
    if (record.response !== null) return { outcome: 'replay', response: copy(record.response) };
    if (now.getTime() > record.lockedAt.getTime() + claim.lockMs) {
      // The owner crashed (or is far too slow): this request takes the key over.
      record.lockedAt = new Date(now.getTime());
      return { outcome: 'started' };
    }
    return { outcome: 'in_flight' };
  }

  async complete(completion: IdempotencyCompletion, _now: Date): Promise<void> {
    const record = idempotencyRecordOf(this.db, completion.key, completion.scope);
    // The first stored response wins; a completion without a claim has nothing to complete.
    if (record && record.response === null) record.response = copy(completion.response);
  }

  async release(key: string, scope: string): Promise<void> {
    if (idempotencyRecordOf(this.db, key, scope)?.response === null) this.db.idempotency.delete(key);
  }

  async deleteExpired(createdBefore: Date, limit: number): Promise<number> {
    let deleted = 0;
    for (const [key, record] of this.db.idempotency) {
      if (deleted >= limit) break;
      if (record.createdAt < createdBefore) {
        this.db.idempotency.delete(key);
        deleted += 1;
      }
    }
    return deleted;
  }
}
