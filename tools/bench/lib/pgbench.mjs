// pgbench running the SQL that one order placement commits, statement for statement, as the
// PostgreSQL driver sends it (libs/storage/src/postgres):
//   1. idempotency claim (PostgresIdempotencyStore.begin), autocommit
//   2. the single data-modifying statement of PostgresUnitOfWork.commit, autocommit: append +
//      outbox + projection + idempotency completion, reporting the outbox partitions, and
//      failing itself through oms_commit_conflict() when a part did not apply (placing an
//      order skips the stream read: the id is brand new)
//   3. the wake-up for relays, sent AFTER the commit (OutboxNotifier): SELECT pg_notify(...)
// Values are bound parameters (-M extended = node-pg's unnamed statements); the JSON bodies
// are copied from a real order placed by order-api in the same run, so sizes match.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_HOST, PG_PORT, PG_USER, query } from './postgres.mjs';
import { summarize } from './stats.mjs';

const SCRIPT = String.raw`
\set n random(1, 9000000000000000)
\set part :n % 16
INSERT INTO idempotency_keys (key, scope, request_hash, status, locked_until, created_at, key_owner)
  SELECT 'pgbench-' || :n::text, 'CreateOrder', :request_hash::text, 'in_flight', now() + interval '30 seconds', now(), true
  WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = 'pgbench-' || :n::text AND NOT key_owner)
  ON CONFLICT (key) WHERE key_owner DO UPDATE SET locked_until = EXCLUDED.locked_until
    WHERE idempotency_keys.status = 'in_flight'
      AND idempotency_keys.scope = EXCLUDED.scope
      AND idempotency_keys.request_hash = EXCLUDED.request_hash
      AND idempotency_keys.locked_until < now()
  RETURNING 1;
WITH appended AS (
  INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata, occurred_at)
  SELECT v.event_id, 'order-' || :n::text, 0::int + v.n, v.type, v.schema_version, v.data, v.metadata, v.occurred_at
  FROM (VALUES (gen_random_uuid(), 1, 'OrderPlaced', 1::int, :event_data::jsonb, :event_metadata::jsonb, now()::timestamptz))
    AS v(event_id, n, type, schema_version, data, metadata, occurred_at)
  WHERE (SELECT coalesce(max(version), 0) FROM events WHERE stream_id = 'order-' || :n::text)::int = 0::int
  ORDER BY v.n
  RETURNING version, position),
outboxed AS (
  INSERT INTO outbox (message_id, topic, key, partition, payload, headers, created_at)
  SELECT * FROM (VALUES (gen_random_uuid()::text, 'oms.order.events', :n::text, :part::int, :payload, :headers::jsonb, now()::timestamptz))
    AS v(message_id, topic, key, partition, payload, headers, created_at) WHERE EXISTS (SELECT 1 FROM appended)
  RETURNING partition),
projected AS (
  INSERT INTO orders_view (order_id, customer_id, status, currency, total_minor, items, version, created_at, updated_at)
  SELECT * FROM (VALUES (:n::text, :customer_id, 'PENDING', 'EUR', :total_minor::bigint, :items::jsonb, 1::int, now()::timestamptz, now()::timestamptz))
    AS v(order_id, customer_id, status, currency, total_minor, items, version, created_at, updated_at) WHERE EXISTS (SELECT 1 FROM appended)
  ON CONFLICT (order_id) DO UPDATE SET
    customer_id = EXCLUDED.customer_id, status = EXCLUDED.status, currency = EXCLUDED.currency,
    total_minor = EXCLUDED.total_minor, items = EXCLUDED.items, version = EXCLUDED.version,
    created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
  RETURNING 1),
completed AS (
  UPDATE idempotency_keys SET status = 'completed', response = :response::jsonb, completed_at = now(), locked_until = NULL
  WHERE key = 'pgbench-' || :n::text AND scope = 'CreateOrder' AND status = 'in_flight' AND EXISTS (SELECT 1 FROM appended)
  RETURNING 1)
SELECT (SELECT coalesce(max(version), 0) FROM events WHERE stream_id = 'order-' || :n::text)::int AS stream_version,
  (SELECT count(*) FROM appended)::int AS appended,
  (SELECT max(version) FROM appended) AS next_version,
  (SELECT max(position) FROM appended) AS last_position,
  (SELECT string_agg(DISTINCT partition::text, ',') FROM outboxed) AS outbox_partitions,
  (SELECT count(*) FROM completed)::int AS completed,
  CASE WHEN NOT ((SELECT count(*) FROM appended) = 1) THEN oms_commit_conflict('append')
       WHEN NOT ((SELECT count(*) FROM completed) = 1) THEN oms_commit_conflict('idempotency') ELSE 0 END AS conflict;
SELECT pg_notify('oms_outbox', :part::text);
`;

/** The JSON values of one real order placement (the first OrderPlaced of the OMS database). */
export async function samplePlacement(database) {
  const { rows } = await query(
    database,
    `SELECT e.data::text AS event_data, e.metadata::text AS event_metadata, o.payload, o.headers::text AS headers,
            v.customer_id, v.total_minor::text AS total_minor, v.items::text AS items, k.request_hash, k.response::text AS response
     FROM events e
     JOIN outbox o ON o.message_id = e.event_id::text
     JOIN orders_view v ON 'order-' || v.order_id = e.stream_id
     JOIN idempotency_keys k ON k.scope = 'CreateOrder' AND k.response -> 'body' -> 'order' ->> 'id' = v.order_id
     WHERE e.type = 'OrderPlaced'
     ORDER BY e.position LIMIT 1`,
  );
  if (!rows[0]) throw new Error('no order placed by order-api to copy the pgbench values from');
  return rows[0];
}

/** Runs the placement script for `seconds` with `clients` connections; tps, latency percentiles, per-statement ms. */
export async function runPgbench({ database, clients, seconds, sample, script = SCRIPT }) {
  const dir = mkdtempSync(join(tmpdir(), 'oms-bench-pgbench-'));
  try {
    const scriptPath = join(dir, 'place-order.sql');
    writeFileSync(scriptPath, script);
    const defines = Object.entries(sample).flatMap(([name, value]) => ['-D', `${name}=${value}`]);
    const args = [
      '-h', PG_HOST, '-p', String(PG_PORT), '-U', PG_USER, '-n', '-M', 'extended', '-r',
      '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds),
      '-l', `--log-prefix=${join(dir, 'txn')}`, '-f', scriptPath, ...defines, database,
    ];
    const output = await new Promise((resolve, reject) => {
      const child = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.stderr.on('data', (chunk) => (text += chunk));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`pgbench exited ${code}: ${text.slice(-1500)}`))));
    });
    const latencies = [];
    for (const file of readdirSync(dir).filter((name) => name.startsWith('txn'))) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        const fields = line.split(' ');
        if (fields.length >= 3 && fields[2] !== 'failed' && fields[2] !== 'skipped') latencies.push(Number(fields[2]) / 1000);
      }
    }
    const number = (pattern) => Number(pattern.exec(output)?.[1] ?? NaN);
    return {
      clients,
      seconds,
      tps: Number(number(/tps = ([\d.]+)/).toFixed(1)),
      transactions: number(/number of transactions actually processed: (\d+)/),
      failed: number(/number of failed transactions: (\d+)/) || 0,
      latencyMs: summarize(latencies),
      statementMs: parseStatementLatencies(output),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `-r` table: average ms per script command (the \set lines included). */
function parseStatementLatencies(output) {
  const start = output.indexOf('statement latencies');
  if (start < 0) return [];
  return output
    .slice(start)
    .split('\n')
    .slice(1)
    .map((line) => /^\s+([\d.]+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter(Boolean)
    .map(([, ms, failures, command]) => ({ command: command.trim().slice(0, 60), ms: Number(ms), failures: Number(failures) }));
}

export const PGBENCH_SCRIPT = SCRIPT;

/**
 * The same without the after-commit NOTIFY (one more round trip, and a tiny transaction of its
 * own that takes the notification-queue lock): what the placement SQL costs without wake-ups.
 */
export const PGBENCH_SCRIPT_WITHOUT_NOTIFY = SCRIPT.replace("SELECT pg_notify('oms_outbox', :part::text);\n", '');
if (PGBENCH_SCRIPT_WITHOUT_NOTIFY === SCRIPT) throw new Error('pgbench script: the pg_notify line was not found');
