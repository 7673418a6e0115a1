// The run's own PostgreSQL database: created fresh, dropped at the end (also after a failure).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

// The machine's shared server by default; a run with its own cluster passes `server` ({ host, port, user }).
const SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres' };

export const dsnOf = (database, server = SERVER) => `postgres://${server.user}@${server.host}:${server.port}/${database}`;

async function withClient(database, work, server = SERVER) {
  const client = new pg.Client({ ...server, database });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(server = SERVER) {
  const name = `oms_e2e_${randomBytes(5).toString('hex')}`;
  await withClient('postgres', (client) => client.query(`CREATE DATABASE ${name}`), server);
  return name;
}

export async function dropDatabase(name, server = SERVER) {
  // FORCE: a process killed with -9 may still hold a backend for a moment.
  await withClient('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`), server);
}

/** Connections the server still accepts (the run needs a few dozen; other test runs share the server). */
export async function connectionHeadroom() {
  return withClient('postgres', async (client) => {
    const { rows } = await client.query(
      `SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
              - (SELECT count(*)::int FROM pg_stat_activity) AS free`,
    );
    return rows[0].free;
  });
}

/** A pooled handle on the run's database for polling and the audit. */
export function openPool(database, server = SERVER) {
  return new pg.Pool({ ...server, database, max: 2 });
}
