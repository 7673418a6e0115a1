// The run's own PostgreSQL database: created fresh, dropped at the end (also after a failure).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres' };

export const dsnOf = (database) => `postgres://${SERVER.user}@${SERVER.host}:${SERVER.port}/${database}`;

async function withClient(database, work) {
  const client = new pg.Client({ ...SERVER, database });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase() {
  const name = `oms_e2e_${randomBytes(5).toString('hex')}`;
  await withClient('postgres', (client) => client.query(`CREATE DATABASE ${name}`));
  return name;
}

export async function dropDatabase(name) {
  // FORCE: a process killed with -9 may still hold a backend for a moment.
  await withClient('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
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
export function openPool(database) {
  return new pg.Pool({ ...SERVER, database, max: 2 });
}
