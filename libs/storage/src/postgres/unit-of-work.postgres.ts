import { commitConflictId, ConcurrencyError, UnitOfWork, outboxPartition, type ChangeSet, type CommitResult, type OrderView } from '@oms/domain';
import { DuplicateEventError } from '../storage.errors';
import { OutboxNotifier } from './outbox-notifier.postgres';
import { PostgresDatabase, SqlParams, UNIQUE_VIOLATION, pgErrorOf, toNumber, type SqlExecutor } from './postgres-database';

/** Channel the outbox relay LISTENs on; the payload lists the outbox partitions that got rows. */
export { OUTBOX_NOTIFY_CHANNEL } from './outbox-notifier.postgres';

export interface PostgresUnitOfWorkOptions {
  /** Outbox partition count (OMS_OUTBOX_PARTITIONS): partition = outboxPartition(key, partitions). */
  readonly partitions: number;
  /** NOTIFY oms_outbox after a commit that wrote outbox rows (only once the commit succeeded). */
  readonly notify: boolean;
  /** Shortest time between two of those notifications (OMS_OUTBOX_MIN_ROUND_INTERVAL); default 0. */
  readonly notifyIntervalMs?: number;
}

type ConflictPart = 'append' | 'saga' | 'inbox' | 'idempotency';
const CONFLICT_PARTS: readonly string[] = ['append', 'saga', 'inbox', 'idempotency'] satisfies ConflictPart[];

/** SQLSTATE of oms_commit_conflict(part) (migration 1795910400006); the DETAIL names the part. */
const COMMIT_CONFLICT = 'OMS01';

/**
 * The statement committed yet reports a part missing: its oms_commit_conflict guard should have
 * failed it. Not a ConcurrencyError, since a retry would apply the rest a second time.
 */
const unguarded = (part: ConflictPart): Error =>
  new Error(`commit statement committed without its ${part} part: the oms_commit_conflict guard did not fire`);

interface CommitRow {
  stream_version: number | null;
  appended: number | null;
  next_version: number | string | null;
  last_position: number | string | null;
  completed: number | null;
  saga_written: number | null;
  inboxed: number | null;
  /** Comma-separated outbox partitions the commit wrote to (when notifying). */
  outbox_partitions?: string | null;
}

/**
 * Commits a whole ChangeSet with ONE autocommit statement (one round trip): data-modifying
 * CTEs append the events (only when the stream is still at the expected version), insert the
 * outbox rows, upsert the projection, complete the idempotency key, write the saga (version
 * checked) and record the inbox entry. Its last column calls oms_commit_conflict(part) when a
 * part did not apply, which fails the statement and so rolls every part back; the error
 * becomes a ConcurrencyError.
 *
 * Every other part is gated on `EXISTS (SELECT 1 FROM appended)`, so the event insert (whose
 * unique (stream_id, version) index serialises writers of one stream) takes its locks first:
 * two writers of one order cannot deadlock on the projection or saga row.
 */
export class PostgresUnitOfWork extends UnitOfWork {
  private readonly notifier: OutboxNotifier;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly options: PostgresUnitOfWorkOptions,
  ) {
    super();
    this.notifier = new OutboxNotifier(db, options.notifyIntervalMs);
  }

  async commit(change: ChangeSet, now: Date): Promise<CommitResult> {
    const statement = buildCommitStatement(change, now, this.options);
    if (!statement) return {};
    let partitions: string | null | undefined;
    let result: CommitResult;
    try {
      // One autocommit statement: atomic on its own, and it fails itself when a part is missing.
      const { rows } = await this.db.query<CommitRow>(statement.text, statement.values);
      partitions = rows[0]?.outbox_partitions;
      result = checkCommit(change, rows[0]);
    } catch (error) {
      throw await this.explain(error, change);
    }
    // After the commit, never inside it: see OutboxNotifier.
    if (partitions) this.notifier.announce(partitions.split(',').map(Number));
    return result;
  }

  /** Resolves once the wake-up hints of past commits were sent. */
  notified(): Promise<void> {
    return this.notifier.idle();
  }

  /** Turns a failed commit into the error callers handle, reading the actual versions after the rollback. */
  private async explain(error: unknown, change: ChangeSet): Promise<unknown> {
    const { code, constraint, detail } = pgErrorOf(error);
    let part: ConflictPart | undefined;
    if (code === COMMIT_CONFLICT && detail !== undefined && CONFLICT_PARTS.includes(detail)) part = detail as ConflictPart;
    if (code === UNIQUE_VIOLATION && constraint === 'events_stream_version_key') part = 'append';
    if (code === UNIQUE_VIOLATION && constraint === 'events_event_id_key') {
      return new DuplicateEventError(/\(event_id\)=\(([^)]+)\)/.exec(detail ?? '')?.[1] ?? 'unknown');
    }
    if (part === undefined) return error;
    return conflictError(this.db, change, part);
  }
}

async function conflictError(db: SqlExecutor, change: ChangeSet, part: ConflictPart): Promise<ConcurrencyError> {
  const { append, saga, inbox, idempotency } = change;
  if (part === 'append' && append) {
    const { rows } = await db.query<{ version: number }>(
      'SELECT coalesce(max(version), 0)::int AS version FROM events WHERE stream_id = $1',
      [append.streamId],
    );
    return new ConcurrencyError(append.streamId, append.expectedVersion, rows[0]?.version ?? 0);
  }
  if (part === 'saga' && saga) {
    const { rows } = await db.query<{ version: number }>('SELECT version FROM sagas WHERE saga_id = $1', [saga.sagaId]);
    return new ConcurrencyError(commitConflictId.saga(saga.sagaId), saga.version, rows[0]?.version ?? 0);
  }
  if (part === 'inbox' && inbox) return new ConcurrencyError(commitConflictId.inbox(inbox.consumer, inbox.messageId), 0, 1);
  if (part === 'idempotency' && idempotency) {
    const { key, scope } = idempotency;
    const { rowCount } = await db.query('SELECT 1 FROM idempotency_keys WHERE key = $1 AND scope = $2', [key, scope]);
    return new ConcurrencyError(commitConflictId.idempotency(scope, key), 0, rowCount > 0 ? 1 : 0);
  }
  throw new Error(`commit conflict on ${part}, which the change set does not contain`);
}

function checkCommit(change: ChangeSet, row: CommitRow | undefined): CommitResult {
  if (!row) throw new Error('commit statement returned no row');
  const result: { nextVersion?: number; lastPosition?: number } = {};
  if (change.append) {
    const count = change.append.events.length;
    if (count === 0) {
      if (row.stream_version !== change.append.expectedVersion) throw unguarded('append');
      result.nextVersion = change.append.expectedVersion;
      result.lastPosition = 0;
    } else {
      if (row.appended !== count) throw unguarded('append');
      result.nextVersion = toNumber(row.next_version);
      result.lastPosition = toNumber(row.last_position);
    }
  }
  if (change.saga && row.saga_written !== 1) throw unguarded('saga');
  if (change.inbox && row.inboxed !== 1) throw unguarded('inbox');
  if (change.idempotency && row.completed !== 1) throw unguarded('idempotency');
  return result;
}

interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/** The single statement of a commit, or null when the change set is empty. */
export function buildCommitStatement(change: ChangeSet, now: Date, options: PostgresUnitOfWorkOptions): Statement | null {
  const p = new SqlParams();
  const ctes: string[] = [];
  const columns: string[] = [];
  /** Conditions of a complete commit, checked in this order; the first false one names the conflict. */
  const guards: { part: ConflictPart; holds: string }[] = [];
  let gate = '';
  let nowParam: string | undefined;
  // Added on first use: pg rejects a parameter that no part of the statement references.
  const at = (): string => (nowParam ??= `${p.add(now)}::timestamptz`);

  const { append } = change;
  if (append) {
    const stream = p.add(append.streamId);
    const currentVersion = `(SELECT coalesce(max(version), 0) FROM events WHERE stream_id = ${stream})::int`;
    columns.push(`${currentVersion} AS stream_version`);
    const expected = p.add(append.expectedVersion);
    if (append.events.length === 0) guards.push({ part: 'append', holds: `${currentVersion} = ${expected}::int` });
    if (append.events.length > 0) {
      const rows = append.events.map(
        (event, index) =>
          `(${p.add(event.eventId)}::uuid, ${index + 1}, ${p.add(event.type)}, ${p.add(event.schemaVersion)}::int, ` +
          `${p.json(event.data)}, ${p.json(event.metadata)}, ${p.add(event.metadata.occurredAt)}::timestamptz)`,
      );
      ctes.push(`appended AS (
        INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata, occurred_at)
        SELECT v.event_id, ${stream}, ${expected}::int + v.n, v.type, v.schema_version, v.data, v.metadata, v.occurred_at
        FROM (VALUES ${rows.join(', ')}) AS v(event_id, n, type, schema_version, data, metadata, occurred_at)
        WHERE ${currentVersion} = ${expected}::int
        ORDER BY v.n
        RETURNING event_id, version, position)`);
      columns.push(
        '(SELECT count(*) FROM appended)::int AS appended',
        '(SELECT max(version) FROM appended) AS next_version',
        '(SELECT max(position) FROM appended) AS last_position',
      );
      gate = 'WHERE EXISTS (SELECT 1 FROM appended)';
      guards.push({ part: 'append', holds: `(SELECT count(*) FROM appended) = ${append.events.length}` });
    }
  }

  if (change.outbox && change.outbox.length > 0) {
    // Messages that carry an event of this commit get its position, known only once appended.
    const positions = gate !== '' && change.outbox.some((message) => message.positionOf !== undefined);
    const rows = change.outbox.map(
      (message, index) =>
        `(${index + 1}, ${p.add(message.messageId)}, ${p.add(message.topic)}, ${p.add(message.key)}, ` +
        `${p.add(outboxPartition(message.key, options.partitions))}::int, ${p.add(message.payload)}, ${p.json(message.headers)}, ${at()}` +
        `${positions ? `, ${message.positionOf === undefined ? 'NULL' : p.add(message.positionOf)}::text` : ''})`,
    );
    const payload = positions
      ? `CASE WHEN a.position IS NULL OR right(v.payload, 1) <> '}' THEN v.payload ELSE left(v.payload, -1) || ',"position":' || a.position || '}' END`
      : 'v.payload';
    ctes.push(`outboxed AS (
      INSERT INTO outbox (message_id, topic, key, partition, payload, headers, created_at)
      SELECT v.message_id, v.topic, v.key, v.partition, ${payload}, v.headers, v.created_at
      FROM (VALUES ${rows.join(', ')}) AS v(n, message_id, topic, key, partition, payload, headers, created_at${positions ? ', position_of' : ''})
      ${positions ? 'LEFT JOIN appended a ON a.event_id::text = v.position_of' : ''}
      ${gate}
      ORDER BY v.n
      RETURNING partition)`);
    if (options.notify) {
      columns.push(
        `(SELECT string_agg(DISTINCT partition::text, ',') FROM outboxed) AS outbox_partitions`,
      );
    }
  }

  if (change.projection) {
    ctes.push(`projected AS (${projectionUpsert(p, [change.projection], gate)} RETURNING 1)`);
  }

  if (change.idempotency) {
    const { key, scope, response } = change.idempotency;
    ctes.push(`completed AS (
      UPDATE idempotency_keys SET status = 'completed', response = ${p.json(response, 'json')}, completed_at = ${at()}, locked_until = NULL
      WHERE key = ${p.add(key)} AND scope = ${p.add(scope)} AND status = 'in_flight' ${gate.replace('WHERE', 'AND')}
      RETURNING 1)`);
    columns.push('(SELECT count(*) FROM completed)::int AS completed');
    guards.push({ part: 'idempotency', holds: '(SELECT count(*) FROM completed) = 1' });
  }

  if (change.saga) {
    const saga = change.saga;
    const values = {
      orderId: p.add(saga.orderId),
      kind: p.add(saga.kind),
      status: p.add(saga.status),
      state: p.json(saga.state),
      nextAttemptAt: `${p.add(saga.nextAttemptAt)}::timestamptz`,
      deadlineAt: `${p.add(saga.deadlineAt)}::timestamptz`,
      createdAt: `${p.add(saga.createdAt)}::timestamptz`,
      updatedAt: `${p.add(saga.updatedAt)}::timestamptz`,
    };
    const sagaId = p.add(saga.sagaId);
    ctes.push(
      saga.version === 0
        ? `saga_written AS (
          INSERT INTO sagas (saga_id, order_id, kind, status, state, version, next_attempt_at, deadline_at, created_at, updated_at, traceparent)
          SELECT ${sagaId}, ${values.orderId}, ${values.kind}, ${values.status}, ${values.state}, 1,
                 ${values.nextAttemptAt}, ${values.deadlineAt}, ${values.createdAt}, ${values.updatedAt}, ${p.add(saga.traceparent ?? null)} ${gate}
          ON CONFLICT (saga_id) DO NOTHING
          RETURNING version)`
        : `saga_written AS (
          UPDATE sagas SET order_id = ${values.orderId}, kind = ${values.kind}, status = ${values.status}, state = ${values.state},
                 version = version + 1, next_attempt_at = ${values.nextAttemptAt}, deadline_at = ${values.deadlineAt},
                 created_at = ${values.createdAt}, updated_at = ${values.updatedAt}
          WHERE saga_id = ${sagaId} AND version = ${p.add(saga.version)}::int ${gate.replace('WHERE', 'AND')}
          RETURNING version)`,
    );
    columns.push('(SELECT count(*) FROM saga_written)::int AS saga_written');
    guards.push({ part: 'saga', holds: '(SELECT count(*) FROM saga_written) = 1' });
  }

  if (change.inbox) {
    ctes.push(`inboxed AS (
      INSERT INTO processed_messages (consumer, message_id, processed_at)
      SELECT ${p.add(change.inbox.consumer)}, ${p.add(change.inbox.messageId)}, ${at()} ${gate}
      ON CONFLICT (consumer, message_id) DO NOTHING
      RETURNING 1)`);
    columns.push('(SELECT count(*) FROM inboxed)::int AS inboxed');
    guards.push({ part: 'inbox', holds: '(SELECT count(*) FROM inboxed) = 1' });
  }

  if (ctes.length === 0 && columns.length === 0) return null;
  if (columns.length === 0) columns.push('1 AS done');
  if (guards.length > 0) {
    // Same order as checkCommit reports conflicts: the append first (every other part is gated on it).
    guards.sort((a, b) => CONFLICT_PARTS.indexOf(a.part) - CONFLICT_PARTS.indexOf(b.part));
    const whens = guards.map(({ part, holds }) => `WHEN NOT (${holds}) THEN oms_commit_conflict('${part}')`).join(' ');
    columns.push(`CASE ${whens} ELSE 0 END AS conflict`);
  }
  const text = `${ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n` : ''}SELECT ${columns.join(', ')}`;
  return { text, values: p.values };
}

/**
 * INSERT ... ON CONFLICT DO UPDATE of orders_view rows (one per order). `gate` filters the
 * rows to insert, `guard` the rows to replace (e.g. never regress a newer version).
 */
export function projectionUpsert(p: SqlParams, views: readonly OrderView[], gate = '', guard = ''): string {
  const rows = views.map(
    (view) =>
      `(${p.add(view.orderId)}, ${p.add(view.customerId)}, ${p.add(view.status)}, ${p.add(view.currency)}, ` +
      `${p.add(view.totalMinor)}::bigint, ${p.json(view.items)}, ${p.add(view.version)}::int, ` +
      `${p.add(view.createdAt)}::timestamptz, ${p.add(view.updatedAt)}::timestamptz)`,
  );
  return `INSERT INTO orders_view (order_id, customer_id, status, currency, total_minor, items, version, created_at, updated_at)
    SELECT * FROM (VALUES ${rows.join(', ')})
      AS v(order_id, customer_id, status, currency, total_minor, items, version, created_at, updated_at) ${gate}
    ON CONFLICT (order_id) DO UPDATE SET
      customer_id = EXCLUDED.customer_id, status = EXCLUDED.status, currency = EXCLUDED.currency,
      total_minor = EXCLUDED.total_minor, items = EXCLUDED.items, version = EXCLUDED.version,
      created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at ${guard}`;
}
