// The benchmark's own database: created fresh for the run, dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The server the run uses (run.mjs points it at the bench's private cluster). The apps connect
 * as `user`; the bench's own queries (polling, reading results) as `observer` when the server
 * has that role, so that pg_stat_statements can tell the two apart.
 */
export const server = { host: '127.0.0.1', port: 5432, user: 'postgres', observer: 'postgres' };

export function useServer(settings) {
  Object.assign(server, settings);
}

/** The DSN the OMS apps get. */
export const dsnOf = (database) => `postgres://${server.user}@${server.host}:${server.port}/${database}`;
/** The DSN of the bench's own connections. */
export const observerDsnOf = (database) => `postgres://${server.observer}@${server.host}:${server.port}/${database}`;

/** Runs one statement on a short-lived connection. */
export async function query(database, text, params = []) {
  const client = new pg.Client({ connectionString: observerDsnOf(database) });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** A connection kept open for the run (polling counters, inserting outbox rows). */
export async function connect(database) {
  const client = new pg.Client({ connectionString: observerDsnOf(database) });
  await client.connect();
  return client;
}

/** Creates `name`, or a new oms_bench_<random> database; returns its name. */
export async function createDatabase(name = `oms_bench_${randomBytes(5).toString('hex')}`) {
  await query('postgres', `CREATE DATABASE ${name}`);
  return name;
}

export async function dropDatabase(name) {
  // FORCE: a process killed mid-run may still hold a connection.
  await query('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Server facts for the report, and how many more connections the server accepts right now. */
export async function serverFacts() {
  const { rows } = await query(
    'postgres',
    `SELECT current_setting('server_version') AS version,
            current_setting('max_connections')::int AS max_connections,
            current_setting('superuser_reserved_connections')::int AS reserved,
            current_setting('shared_buffers') AS shared_buffers,
            current_setting('synchronous_commit') AS synchronous_commit,
            current_setting('fsync') AS fsync,
            current_setting('autovacuum') AS autovacuum,
            current_setting('shared_preload_libraries') AS shared_preload_libraries,
            (SELECT count(*)::int FROM pg_stat_activity) AS connections`,
  );
  return rows[0];
}

/** PIDs of the server backends connected to a database (their CPU counts towards the run). */
export async function backendPids(database) {
  const { rows } = await query('postgres', `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND usename = $2`, [database, server.user]);
  return rows.map((row) => row.pid);
}
