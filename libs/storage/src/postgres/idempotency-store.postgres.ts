import {
  IdempotencyStore,
  type IdempotencyBeginResult,
  type IdempotencyClaim,
  type IdempotencyCompletion,
  type StoredResponse,
} from '@oms/domain';
import type { PostgresDatabase } from './postgres-database';

interface KeyRow {
  request_hash: string;
  status: 'in_flight' | 'completed';
  response: StoredResponse | null;
}

/** A claim can vanish between our insert attempt and the read (released, cleaned up); then we simply try again. */
const MAX_BEGIN_ATTEMPTS = 5;

export class PostgresIdempotencyStore extends IdempotencyStore {
  constructor(private readonly db: PostgresDatabase) {
    super();
  }

  /**
   * One atomic upsert decides 'started': it inserts a new claim, or takes over an in-flight
   * claim of the same request whose lock has expired (its owner crashed). The unique key
   * makes concurrent begins of one key queue on the row, so exactly one of them starts.
   */
  async begin(claim: IdempotencyClaim, now: Date): Promise<IdempotencyBeginResult> {
    const lockedUntil = new Date(now.getTime() + claim.lockMs);
    for (let attempt = 1; ; attempt++) {
      const claimed = await this.db.query(
        `INSERT INTO idempotency_keys (key, scope, request_hash, status, locked_until, created_at)
         VALUES ($1, $2, $3, 'in_flight', $4, $5)
         ON CONFLICT (key, scope) DO UPDATE SET locked_until = EXCLUDED.locked_until
           WHERE idempotency_keys.status = 'in_flight'
             AND idempotency_keys.request_hash = EXCLUDED.request_hash
             AND idempotency_keys.locked_until < $5
         RETURNING 1`,
        [claim.key, claim.scope, claim.requestHash, lockedUntil, now],
      );
      if (claimed.rowCount > 0) return { outcome: 'started' };

      const { rows } = await this.db.query<KeyRow>(
        'SELECT request_hash, status, response FROM idempotency_keys WHERE key = $1 AND scope = $2',
        [claim.key, claim.scope],
      );
      const record = rows[0];
      if (record) {
        if (record.request_hash !== claim.requestHash) return { outcome: 'mismatch' };
        if (record.status === 'completed' && record.response) return { outcome: 'replay', response: record.response };
        return { outcome: 'in_flight' };
      }
      if (attempt >= MAX_BEGIN_ATTEMPTS) return { outcome: 'in_flight' };
    }
  }

  /** The first stored response wins; a key that is not in flight has nothing to complete. */
  async complete(completion: IdempotencyCompletion, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET status = 'completed', response = $3::json, completed_at = $4, locked_until = NULL
       WHERE key = $1 AND scope = $2 AND status = 'in_flight'`,
      [completion.key, completion.scope, JSON.stringify(completion.response), now],
    );
  }

  async release(key: string, scope: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE key = $1 AND scope = $2 AND status = 'in_flight'`, [key, scope]);
  }

  /**
   * Deletes at most `limit` keys per statement, oldest first, skipping rows another
   * transaction holds, so a cleanup batch never waits on (or blocks) a live request.
   */
  async deleteExpired(createdBefore: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const { rowCount } = await this.db.query(
      `DELETE FROM idempotency_keys k USING (
         SELECT key, scope FROM idempotency_keys WHERE created_at < $1
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED) expired
       WHERE k.key = expired.key AND k.scope = expired.scope`,
      [createdBefore, limit],
    );
    return rowCount;
  }
}
