// What PostgreSQL did for a measured load, from the server's own counters (deltas of two
// snapshots): statements and their time (pg_stat_statements, loaded by the bench's private
// cluster), rows written per table (pg_stat_user_tables), WAL bytes (pg_current_wal_lsn), and
// connections opened and transactions rolled back (pg_stat_database: a statement that fails
// rolls back, and a pool that drops the connection after it opens a new one).
import { query, server } from './postgres.mjs';
import { round } from './stats.mjs';

/** Tables of the OMS schema, by what they hold (a table missing from the schema is skipped). */
const TABLES = ['events', 'outbox', 'sagas', 'processed_messages', 'idempotency_keys', 'orders_view', 'outbox_leases', 'outbox_relay_members'];

/** Statement text shown in the report: one line, bounded. */
const shortText = (text) => text.replace(/\s+/g, ' ').trim().slice(0, 110);

export async function costSnapshot(database) {
  const [statements, tables, wal, sessions] = await Promise.all([
    query(
      database,
      `SELECT queryid::text AS id, query, calls::float8, plans::float8, total_exec_time::float8 AS exec_ms, total_plan_time::float8 AS plan_ms,
              rows::float8, wal_bytes::float8
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() AND s.userid = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
      [server.user],
    ).then((result) => result.rows, () => null),
    query(
      database,
      `SELECT relname, n_tup_ins::float8 AS ins, n_tup_upd::float8 AS upd, n_tup_hot_upd::float8 AS hot, n_tup_del::float8 AS del
         FROM pg_stat_user_tables WHERE relname = ANY($1::text[])`,
      [TABLES],
    ),
    query(database, `SELECT pg_current_wal_lsn()::text AS lsn`),
    query(database, `SELECT sessions::float8, xact_rollback::float8 AS rollbacks FROM pg_stat_database WHERE datname = current_database()`),
  ]);
  return { statements, tables: tables.rows, walLsn: wal.rows[0].lsn, sessions: sessions.rows[0] };
}

const lsnBytes = (lsn) => {
  const [high, low] = lsn.split('/').map((part) => BigInt(`0x${part}`));
  return (high << 32n) + low;
};

/**
 * Per-order cost between two snapshots. `orders` is the divisor (confirmed orders); the
 * figures include everything the database did meanwhile (relay polls, saga sweeps, leases).
 */
export function costPerOrder(before, after, orders, { top = 15 } = {}) {
  const per = (value) => (orders > 0 ? value / orders : null);
  const result = { orders, walBytesPerOrder: round(per(Number(lsnBytes(after.walLsn) - lsnBytes(before.walLsn))), 0) };
  if (before.sessions && after.sessions) {
    result.connectionsOpenedPerOrder = round(per(after.sessions.sessions - before.sessions.sessions), 3);
    result.rollbacksPerOrder = round(per(after.sessions.rollbacks - before.sessions.rollbacks), 3);
  }

  const tableBefore = new Map(before.tables.map((row) => [row.relname, row]));
  result.rowsPerOrder = Object.fromEntries(
    after.tables.map((row) => {
      const start = tableBefore.get(row.relname) ?? { ins: 0, upd: 0, hot: 0, del: 0 };
      const delta = (field) => round(per(row[field] - start[field]), 2);
      return [row.relname, { inserted: delta('ins'), updated: delta('upd'), hotUpdated: delta('hot'), deleted: delta('del') }];
    }),
  );

  if (!after.statements || !before.statements) return { ...result, statements: null };
  const statementBefore = new Map(before.statements.map((row) => [row.id, row]));
  const deltas = after.statements
    .map((row) => {
      const start = statementBefore.get(row.id) ?? { calls: 0, plans: 0, exec_ms: 0, plan_ms: 0, rows: 0, wal_bytes: 0 };
      return {
        text: shortText(row.query),
        calls: row.calls - start.calls,
        plans: row.plans - start.plans,
        execMs: row.exec_ms - start.exec_ms,
        planMs: row.plan_ms - start.plan_ms,
        rows: row.rows - start.rows,
        walBytes: row.wal_bytes - start.wal_bytes,
      };
    })
    .filter((row) => row.calls > 0);
  const total = (field) => deltas.reduce((sum, row) => sum + row[field], 0);
  result.statementsPerOrder = round(per(total('calls')), 2);
  result.postgresMsPerOrder = { exec: round(per(total('execMs')), 3), plan: round(per(total('planMs')), 3) };
  result.statements = deltas
    .sort((a, b) => b.execMs + b.planMs - (a.execMs + a.planMs))
    .slice(0, top)
    .map((row) => ({
      statement: row.text,
      callsPerOrder: round(per(row.calls), 3),
      // Share of calls that were planned: a prepared statement on a cached generic plan is not.
      plannedShare: round(row.plans / row.calls, 2),
      execMsPerOrder: round(per(row.execMs), 4),
      planMsPerOrder: round(per(row.planMs), 4),
      msPerCall: round((row.execMs + row.planMs) / row.calls, 4),
      rowsPerOrder: round(per(row.rows), 3),
      walBytesPerOrder: round(per(row.walBytes), 0),
    }));
  return result;
}
