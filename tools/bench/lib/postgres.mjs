// The benchmark's own database: created fresh for the run, dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_HOST = '127.0.0.1';
export const PG_PORT = 5432;
export const PG_USER = 'postgres';

export const dsnOf = (database) => `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${database}`;

/** Runs one statement on a short-lived connection. */
export async function query(database, text, params = []) {
  const client = new pg.Client({ connectionString: dsnOf(database) });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** A connection kept open for the run (polling counters, inserting outbox rows). */
export async function connect(database) {
  const client = new pg.Client({ connectionString: dsnOf(database) });
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
            (SELECT count(*)::int FROM pg_stat_activity) AS connections`,
  );
  return rows[0];
}

/** PIDs of the server backends connected to a database (their CPU counts towards the run). */
export async function backendPids(database) {
  const { rows } = await query('postgres', `SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]);
  return rows.map((row) => row.pid);
}
