import {
  SagaStore,
  type SagaKind,
  type SagaListQuery,
  type SagaRecord,
  type SagaStatus,
  type SagaStepStats,
  type SagaOrStream,
} from '@oms/domain';
import { EVENT_COLUMNS, joinedEvents, type JoinedEventRow } from './event-store.postgres';
import { toDate, toNullableDate, type PostgresDatabase } from './postgres-database';

interface SagaRow {
  saga_id: string;
  order_id: string;
  kind: SagaKind;
  status: SagaStatus;
  state: unknown;
  version: number;
  next_attempt_at: Date | null;
  deadline_at: Date | null;
  created_at: Date;
  updated_at: Date;
  traceparent: string | null;
}

const COLUMNS = 'saga_id, order_id, kind, status, state, version, next_attempt_at, deadline_at, created_at, updated_at, traceparent';
const COLUMN_NAMES = COLUMNS.split(', ') as (keyof SagaRow)[];

/** The saga's columns beside an event's in one row: prefixed, since both have a version. */
const SAGA_PREFIX = 'saga_row_';
const PREFIXED_COLUMNS = COLUMN_NAMES.map((column) => `s.${column} AS ${SAGA_PREFIX}${column}`).join(', ');

/** One row of getOrReadStream: the saga's columns (null when there is none) and one event's (null when there is a saga, or no event). */
type SagaStreamRow = { [column in keyof SagaRow as `${typeof SAGA_PREFIX}${column}`]: SagaRow[column] | null } & JoinedEventRow;

function sagaOf(row: SagaStreamRow): SagaRow | null {
  if (row.saga_row_saga_id === null) return null;
  return Object.fromEntries(COLUMN_NAMES.map((column) => [column, row[`${SAGA_PREFIX}${column}`]])) as unknown as SagaRow;
}

/** Saga rows are written by PostgresUnitOfWork (version-checked); this side reads and leases them. */
export class PostgresSagaStore extends SagaStore {
  constructor(private readonly db: PostgresDatabase) {
    super();
  }

  async get(sagaId: string): Promise<SagaRecord | null> {
    const { rows } = await this.db.query<SagaRow>(`SELECT ${COLUMNS} FROM sagas WHERE saga_id = $1`, [sagaId]);
    return rows[0] ? toSagaRecord(rows[0]) : null;
  }

  async getOrReadStream(sagaId: string, streamId: string): Promise<SagaOrStream> {
    // The events are read only when no saga row joined: a start whose saga exists needs none.
    // OFFSET 0 keeps the lateral read a subquery, so that test gates it (a one-time filter)
    // instead of being pulled up into a join filter applied after the events were read.
    const { rows } = await this.db.query<SagaStreamRow>(
      `SELECT ${PREFIXED_COLUMNS}, e.*
       FROM (SELECT 1) AS one
       LEFT JOIN sagas s ON s.saga_id = $1
       LEFT JOIN LATERAL (SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $2 AND s.saga_id IS NULL OFFSET 0) e ON true
       ORDER BY e.version`,
      [sagaId, streamId],
    );
    const saga = rows[0] ? sagaOf(rows[0]) : null;
    if (saga) return { saga: toSagaRecord(saga) };
    return { saga: null, stream: joinedEvents(rows) };
  }

  async listByOrder(orderId: string): Promise<SagaRecord[]> {
    const { rows } = await this.db.query<SagaRow>(`SELECT ${COLUMNS} FROM sagas WHERE order_id = $1 ORDER BY created_at, saga_id`, [
      orderId,
    ]);
    return rows.map(toSagaRecord);
  }

  /**
   * Leases due sagas to this caller: SKIP LOCKED makes concurrent sweepers take disjoint
   * sets, and the pushed timer keeps a saga from being claimed again until the lease ends.
   * The version is left alone, so the claimer commits against the version it read.
   */
  async claimDue(now: Date, limit: number, leaseMs: number): Promise<SagaRecord[]> {
    if (limit <= 0) return [];
    const { rows } = await this.db.query<SagaRow & { due_at: Date }>(
      `WITH due AS (
         SELECT saga_id, next_attempt_at FROM sagas
         WHERE status = 'RUNNING' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, saga_id LIMIT $2
         FOR UPDATE SKIP LOCKED)
       UPDATE sagas s SET next_attempt_at = $3 FROM due WHERE s.saga_id = due.saga_id
       RETURNING ${COLUMN_NAMES.map((column) => `s.${column}`).join(', ')}, due.next_attempt_at AS due_at`,
      [now, limit, new Date(now.getTime() + leaseMs)],
    );
    return rows
      .sort((a, b) => a.due_at.getTime() - b.due_at.getTime() || (a.saga_id < b.saga_id ? -1 : a.saga_id > b.saga_id ? 1 : 0))
      .map(toSagaRecord);
  }

  /** An operator's listing: sagas_status_idx narrows by status; the keyset needs no OFFSET. */
  async list(query: SagaListQuery): Promise<SagaRecord[]> {
    if (query.limit <= 0) return [];
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status !== undefined) where.push(`status = $${params.push(query.status)}`);
    if (query.updatedBefore !== undefined) where.push(`updated_at < $${params.push(query.updatedBefore)}`);
    if (query.after !== undefined) {
      where.push(`(updated_at, saga_id) > ($${params.push(query.after.updatedAt)}, $${params.push(query.after.sagaId)})`);
    }
    const { rows } = await this.db.query<SagaRow>(
      `SELECT ${COLUMNS} FROM sagas ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY updated_at, saga_id LIMIT $${params.push(query.limit)}`,
      params,
    );
    return rows.map(toSagaRecord);
  }

  /** Reads the running sagas' entries only (sagas_due_idx is partial on RUNNING), not the finished ones. */
  async countRunning(): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM sagas WHERE status = 'RUNNING'`);
    return rows[0]?.count ?? 0;
  }

  /** RUNNING sagas are few (sagas_status_idx); their state is read as JSON. */
  async pendingStepStats(steps: readonly string[]): Promise<SagaStepStats> {
    const { rows } = await this.db.query<{ count: number; oldest: Date | null }>(
      `SELECT count(*)::int AS count, min((state->>'stepStartedAt')::timestamptz) AS oldest
       FROM sagas WHERE status = 'RUNNING' AND state->>'step' = ANY($1::text[])`,
      [[...steps]],
    );
    return { count: rows[0]?.count ?? 0, oldestStepStartedAt: toNullableDate(rows[0]?.oldest) };
  }
}

function toSagaRecord(row: SagaRow): SagaRecord {
  return {
    sagaId: row.saga_id,
    orderId: row.order_id,
    kind: row.kind,
    status: row.status,
    state: row.state,
    version: row.version,
    nextAttemptAt: toNullableDate(row.next_attempt_at),
    deadlineAt: toNullableDate(row.deadline_at),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
  };
}
