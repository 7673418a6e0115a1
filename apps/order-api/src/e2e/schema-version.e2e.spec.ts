import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { anOrder, buildApp, call, startApp, waitFor, waitUntilReady, WORKSPACE_ROOT, type AppProcess } from './built-app';

// The built order-api on an EMPTY database: it answers its probes but is not ready, says once
// which migrations are missing and that `migrator migrate up` brings them; after the migrator
// ran, the same process becomes ready and serves, without a restart. Then a migration of a
// "newer release" appears: not marked backward compatible, the app stops being ready; marked,
// it serves again.

jest.setTimeout(240_000);

let database: TestDatabase;
let app: AppProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase('schema_e2e');
});
afterAll(async () => {
  await app?.stop('SIGKILL');
  await database?.drop();
});

async function status(url: string): Promise<number> {
  const response = await fetch(url);
  await response.text();
  return response.status;
}

async function sql(text: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

const linesWith = (output: string, text: string) => output.split('\n').filter((line) => line.includes(text));

/** Log lines reach the test a moment after the probe that caused them: wait for one, then count. */
async function loggedOnce(app: AppProcess, text: string): Promise<void> {
  await waitFor(`the log line "${text}"`, async () => (linesWith(app.output(), text).length > 0 ? true : undefined));
  await new Promise((done) => setTimeout(done, 500)); // a repeated line would have arrived by now
  expect(linesWith(app.output(), text)).toHaveLength(1);
}

it('is not ready on an empty database, names `migrate up` once, and becomes ready after migrating without a restart', async () => {
  const [orderApi, migrator] = [buildApp('order-api'), buildApp('migrator')];
  app = await startApp(orderApi, {
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: database.dsn,
    OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
  });
  const running = app;

  // Alive and answering, but not ready; the log says why, once, however often it is probed.
  await waitFor('the schema line', async () => (linesWith(running.output(), 'migrator migrate up').length > 0 ? true : undefined));
  for (let i = 0; i < 5; i++) {
    expect(await status(`${running.opsUrl}/readyz`)).toBe(503);
    expect(await status(`${running.opsUrl}/livez`)).toBe(200);
    await new Promise((done) => setTimeout(done, 300));
  }
  const health = (await (await fetch(`${running.opsUrl}/healthz`)).json()) as { details: Record<string, { status: string; missing?: string[] }> };
  expect(health.details['schema']).toMatchObject({ status: 'down', missing: expect.arrayContaining(['EventStoreAndOutbox1795910400001']) });
  const [schemaLine, ...repeated] = linesWith(running.output(), 'migrator migrate up');
  expect(repeated).toEqual([]);
  expect(JSON.parse(schemaLine as string)).toMatchObject({
    level: 'warn',
    msg: expect.stringMatching(/^database schema is behind this build: \d+ migration\(s\) not applied \(EventStoreAndOutbox1795910400001, /),
  });

  const migrate = spawnSync(process.execPath, [migrator, 'migrate', 'up'], {
    cwd: WORKSPACE_ROOT,
    env: { OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: database.dsn },
    encoding: 'utf8',
  });
  expect(migrate.status).toBe(0);

  // The same process (no restart) becomes ready and serves.
  await waitUntilReady(running, 30_000);
  expect(running.child.exitCode).toBeNull();
  const created = await call(running.httpUrl, 'POST', '/v1/orders', anOrder('cust-schema'), { 'idempotency-key': 'schema-1' });
  expect(created.status).toBe(201);
  await loggedOnce(running, 'database schema is current');
  expect(linesWith(running.output(), 'migrator migrate up')).toHaveLength(1);

  // A newer release applied a migration this build does not carry, without marking it compatible.
  await sql(`INSERT INTO typeorm_migrations ("timestamp", name) VALUES ($1, $2)`, [1999999999999, 'FromANewerRelease1999999999999']);
  await waitFor('not ready on an incompatible newer schema', async () => ((await status(`${running.opsUrl}/readyz`)) === 503 ? true : undefined));
  await loggedOnce(running, 'not marked backward compatible: FromANewerRelease1999999999999');

  // The newer release's migrator had recorded it as backward compatible: this build serves on it.
  await sql(`INSERT INTO migration_compatibility (name, backward_compatible) VALUES ($1, true)`, ['FromANewerRelease1999999999999']);
  await waitUntilReady(running, 30_000);
  await loggedOnce(running, 'all marked backward compatible: serving');
});
