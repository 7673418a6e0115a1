import {
  IdempotencyStore,
  type IdempotencyBeginOptions,
  type IdempotencyBeginResult,
  type IdempotencyClaim,
  type IdempotencyCompletion,
  type StoredEvent,
  type StoredResponse,
} from '@oms/domain';
import { EVENT_COLUMNS, joinedEvents, type JoinedEventRow } from './event-store.postgres';
import { UNIQUE_VIOLATION, pgErrorOf, type PostgresDatabase } from './postgres-database';

interface KeyRow {
  scope: string;
  request_hash: string;
  status: 'in_flight' | 'completed';
  response: StoredResponse | null;
  key_owner: boolean;
  locked_until: Date | null;
}

/** A row of the claim with its stream read: the event's columns are null when the stream has none. */
type ClaimedStreamRow = { claimed: number } & JoinedEventRow;

/**
 * Claims a key: inserts it, or takes over an in-flight claim of the same request whose lock
 * expired. $1 key, $2 scope, $3 request hash, $4 locked until, $5 now.
 */
const CLAIM = `INSERT INTO idempotency_keys (key, scope, request_hash, status, locked_until, created_at, key_owner)
         SELECT $1::text, $2::text, $3::text, 'in_flight', $4::timestamptz, $5::timestamptz, true
         WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = $1::text AND NOT key_owner)
         ON CONFLICT (key) WHERE key_owner DO UPDATE SET locked_until = EXCLUDED.locked_until
           WHERE idempotency_keys.status = 'in_flight'
             AND idempotency_keys.scope = EXCLUDED.scope
             AND idempotency_keys.request_hash = EXCLUDED.request_hash
             AND idempotency_keys.locked_until < $5::timestamptz`;

/** A claim can vanish between our insert attempt and the read (released, cleaned up); then we simply try again. */
const MAX_BEGIN_ATTEMPTS = 5;

/**
 * One key space (migration 1796659200000): a row this release writes is its key's owner
 * (`key_owner`, unique per key). Rows of older releases, which scoped keys per operation and
 * order, are not: several may share a key. They are still found by key, so they replay, and a
 * new claim never starts beside them.
 */
export class PostgresIdempotencyStore extends IdempotencyStore {
  constructor(private readonly db: PostgresDatabase) {
    super();
  }

  /**
   * One atomic upsert decides 'started': it inserts a new claim, or takes over an in-flight
   * claim of the same request whose lock has expired (its owner crashed). The unique key
   * makes concurrent begins of one key queue on the row, so exactly one of them starts.
   * Anything else is read back by key: the same request replays (or is in flight), another
   * one is a mismatch naming the first request's scope.
   */
  async begin(claim: IdempotencyClaim, now: Date, options: IdempotencyBeginOptions = {}): Promise<IdempotencyBeginResult> {
    const lockedUntil = new Date(now.getTime() + claim.lockMs);
    for (let attempt = 1; ; attempt++) {
      const claimed = await this.claim(claim, lockedUntil, now, options.readStream);
      if (claimed) return claimed.stream ? { outcome: 'started', stream: claimed.stream } : { outcome: 'started' };

      const { rows } = await this.db.query<KeyRow>(
        `SELECT scope, request_hash, status, response, key_owner, locked_until FROM idempotency_keys
         WHERE key = $1 ORDER BY created_at, scope`,
        [claim.key],
      );
      const first = rows[0];
      if (first) {
        const same = rows.find((row) => row.scope === claim.scope && row.request_hash === claim.requestHash);
        if (!same) return { outcome: 'mismatch', scope: first.scope };
        if (same.status === 'completed' && same.response) return { outcome: 'replay', response: same.response };
        // An older release's claim whose owner crashed: the upsert cannot take it over (not the key's owner).
        if (!same.key_owner && same.locked_until !== null && same.locked_until < now && (await this.takeOver(claim, lockedUntil, now))) {
          return { outcome: 'started' };
        }
        return { outcome: 'in_flight' };
      }
      if (attempt >= MAX_BEGIN_ATTEMPTS) return { outcome: 'in_flight' };
    }
  }

  /**
   * Whether the upsert claimed the key (a new claim, or a takeover of the same request's expired
   * one): null when not; when it did and `readStream` names a stream, that stream's events, read
   * by the same statement (a join beside the claim's CTE, so one round trip instead of two; a
   * begin that claims nothing reads no events).
   */
  private async claim(claim: IdempotencyClaim, lockedUntil: Date, now: Date, readStream?: string): Promise<{ stream?: StoredEvent[] } | null> {
    const values = [claim.key, claim.scope, claim.requestHash, lockedUntil, now];
    try {
      if (readStream === undefined) {
        const claimed = await this.db.query(`${CLAIM} RETURNING 1`, values);
        return claimed.rowCount > 0 ? {} : null;
      }
      const { rows } = await this.db.query<ClaimedStreamRow>(
        `WITH claimed AS (${CLAIM} RETURNING 1)
         SELECT (SELECT count(*) FROM claimed)::int AS claimed, e.*
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $6 AND EXISTS (SELECT 1 FROM claimed)) e ON true
         ORDER BY e.version`,
        [...values, readStream],
      );
      if ((rows[0]?.claimed ?? 0) === 0) return null;
      return { stream: joinedEvents(rows) };
    } catch (error) {
      // An older release committed the same key and scope after this statement's snapshot; the
      // primary key, not our conflict target, refused the row: the read that follows finds it.
      if (pgErrorOf(error).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  private async takeOver(claim: IdempotencyClaim, lockedUntil: Date, now: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE idempotency_keys SET locked_until = $4
       WHERE key = $1 AND scope = $2 AND request_hash = $3 AND status = 'in_flight' AND locked_until < $5`,
      [claim.key, claim.scope, claim.requestHash, lockedUntil, now],
    );
    return rowCount > 0;
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
