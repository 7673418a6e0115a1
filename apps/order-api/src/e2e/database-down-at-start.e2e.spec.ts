import { connect, createServer, type Server, type Socket } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { anOrder, buildApp, call, freePort, startApp, waitFor, waitUntilReady, type AppProcess } from './built-app';

// The built order-api started while PostgreSQL is out of reach (its DSN names a port where
// nothing listens yet): alive and not ready, no exit; once a TCP forwarder to the real server
// opens that port, the start-up migrations run, the schema check passes, and orders go through
// in the same process (ADR 0027).

jest.setTimeout(240_000);

let database: TestDatabase;
let app: AppProcess | undefined;
let forwarder: Server | undefined;
const sockets = new Set<Socket>();

beforeAll(async () => {
  database = await createTestDatabase('db_down_e2e');
});
afterAll(async () => {
  await app?.stop('SIGKILL');
  for (const socket of sockets) socket.destroy();
  await new Promise((done) => (forwarder ? forwarder.close(done) : done(undefined)));
  await database?.drop();
});

async function status(url: string): Promise<number> {
  const response = await fetch(url);
  await response.text();
  return response.status;
}

/** Opens `port` and pipes every connection to `target` (the test's PostgreSQL server). */
async function forward(port: number, target: URL): Promise<Server> {
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return server;
}

it('starts not ready while PostgreSQL is out of reach, and serves once it answers, without a restart', async () => {
  const orderApi = buildApp('order-api');
  const port = await freePort(); // nothing listens here until the forwarder opens it
  const real = new URL(database.dsn);
  const viaForwarder = new URL(database.dsn);
  viaForwarder.hostname = '127.0.0.1';
  viaForwarder.port = String(port);
  app = await startApp(orderApi, {
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: viaForwarder.toString(),
    OMS_POSTGRES_AUTO_MIGRATE: 'true', // migrations too wait for the database
    OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
  });
  const running = app;
  let exited = false;
  void running.exited.then(() => (exited = true));

  await waitFor('the line saying the start waits for the database', async () =>
    running.output().includes('not ready, waiting for the database') ? true : undefined,
  );
  for (let i = 0; i < 5; i++) {
    expect(await status(`${running.opsUrl}/livez`)).toBe(200);
    expect(await status(`${running.opsUrl}/readyz`)).toBe(503);
    await new Promise((done) => setTimeout(done, 400));
  }
  const health = (await (await fetch(`${running.opsUrl}/healthz`)).json()) as { details: Record<string, { status: string }> };
  expect(health.details['database']?.status).toBe('down');
  expect(exited).toBe(false);

  forwarder = await forward(port, real);
  await waitUntilReady(running, 60_000);
  expect(exited).toBe(false);
  expect(running.output()).toContain('the database answers: starting');

  const created = await call(running.httpUrl, 'POST', '/v1/orders', anOrder('cust-db-down'), { 'idempotency-key': 'db-down-1' });
  expect(created.status).toBe(201);
  const read = await call(running.httpUrl, 'GET', `/v1/orders/${created.body['order'].id}`);
  expect(read.status).toBe(200);
});
