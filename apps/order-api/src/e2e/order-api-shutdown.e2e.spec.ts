import { Agent, request } from 'node:http';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { anOrder, buildApp, startApp, waitUntilReady, type AppProcess } from './built-app';

// SIGTERM to the built order-api (PostgreSQL storage) while 20 clients create orders: readiness
// turns 503 at once, every request sent before the signal completes with 2xx (no reset, no
// 5xx), every order answered 201 is in the database, and the process exits 0 within
// OMS_SHUTDOWN_TIMEOUT. Clients stop sending once the signal is out, as a load balancer stops
// routing to an unready pod; requests sent meanwhile may be refused but never fail with a 5xx.

jest.setTimeout(240_000);

const CLIENTS = 20;
const SHUTDOWN_TIMEOUT_MS = 10_000;
/** Readiness probes sent while the creates in flight are held (25 ms apart). */
const HELD_PROBES = 16;

interface Outcome {
  readonly sentAt: number;
  readonly doneAt: number;
  readonly status?: number;
  readonly orderId?: string;
  readonly error?: string;
}

let database: TestDatabase;
let app: AppProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase('shutdown');
});
afterAll(async () => {
  await app?.stop('SIGKILL');
  await database?.drop();
});

/** One POST /v1/orders over the client's own keep-alive connection. */
function createOrder(baseUrl: string, agent: Agent, key: string): Promise<Outcome> {
  const sentAt = Date.now();
  const body = JSON.stringify(anOrder(`cust-load-${key.split('-')[1]}`));
  return new Promise((resolve) => {
    const req = request(
      `${baseUrl}/v1/orders`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'idempotency-key': key, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let orderId: string | undefined;
          try {
            orderId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { order?: { id?: string } }).order?.id;
          } catch {
            orderId = undefined;
          }
          resolve({ sentAt, doneAt: Date.now(), status: res.statusCode, orderId });
        });
        res.on('error', (error) => resolve({ sentAt, doneAt: Date.now(), status: res.statusCode, error: String(error) }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ sentAt, doneAt: Date.now(), error: error.code ?? error.message }));
    req.end(body);
  });
}

it('SIGTERM under load: readiness 503 at once, accepted requests complete 2xx, exit 0 within the timeout', async () => {
  const main = buildApp('order-api');
  app = await startApp(main, {
    LOG_LEVEL: 'warn',
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: database.dsn,
    OMS_POSTGRES_AUTO_MIGRATE: 'true',
    OMS_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
    OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
  });
  await waitUntilReady(app);
  const running = app;

  let signalAt = Number.POSITIVE_INFINITY;
  const outcomes: Outcome[] = [];
  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let n = 0; Date.now() < signalAt; n++) {
      const outcome = await createOrder(running.httpUrl, agent, `load-${client}-${n}-${process.pid}`);
      outcomes.push(outcome);
      if (outcome.error) break; // refused: this client's connection is gone
    }
    agent.destroy();
  });

  // Warm up under load, then signal while requests are in flight. A lock on the events table
  // holds the creates in flight until the probes below have seen readiness: without it a fast
  // drain can end, and the ops server close, before this busy process sends its first probe.
  while (outcomes.filter((outcome) => outcome.status === 201).length < 200) await new Promise((done) => setTimeout(done, 10));
  const holder = new Client({ connectionString: database.dsn });
  holder.on('error', () => undefined); // afterAll's drop may end this session; that is no test failure
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE events IN EXCLUSIVE MODE');
  let releasedAt = Number.POSITIVE_INFINITY;
  const releaseLock = async (): Promise<void> => {
    if (releasedAt !== Number.POSITIVE_INFINITY) return;
    releasedAt = Date.now();
    try {
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
  };
  signalAt = Date.now();
  running.child.kill('SIGTERM');

  // Readiness turns 503 right away (the ops server stays up while the API drains). The lock is
  // let go after HELD_PROBES probes or two seconds, well inside the statement timeout (5 s). A
  // probe this busy process could not finish in time is recorded and the probing goes on; a
  // refused one means the ops server closed, and ends it.
  const readiness: { sentAt: number; status: number | string }[] = [];
  try {
    for (let i = 0; i < 40; i++) {
      if (i === HELD_PROBES || Date.now() - signalAt >= 2_000) await releaseLock();
      const sentAt = Date.now();
      const status = await fetch(`${running.opsUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
        async (response) => {
          await response.text();
          return response.status;
        },
        (error: Error) => (error.name === 'TimeoutError' ? 'timeout' : String((error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message)),
      );
      readiness.push({ sentAt, status });
      if (typeof status !== 'number' && status !== 'timeout') break;
      await new Promise((done) => setTimeout(done, 25));
    }
  } finally {
    await releaseLock();
  }
  await Promise.all(clients);
  const exit = await running.exited;

  const firstUnready = readiness.findIndex((probe) => probe.status === 503);
  // A failure shows every probe, sent at ms after the signal.
  const probes = readiness.map((probe) => ({ ...probe, sentAt: probe.sentAt - signalAt }));
  const unreadyAfter = firstUnready >= 0 ? (probes[firstUnready]?.sentAt ?? null) : null;
  expect({ unreadyAfter, probes }).toEqual({ unreadyAfter: expect.any(Number), probes });
  // A probe sent within a second of the signal was already answered 503.
  expect(unreadyAfter).toBeLessThan(1_000);
  expect(readiness.slice(firstUnready).filter((probe) => probe.status === 200)).toEqual([]);
  // The 503 was asked for while the creates were held, i.e. before the drain could have ended.
  expect(readiness[firstUnready]?.sentAt).toBeLessThanOrEqual(releasedAt);

  const sentBefore = outcomes.filter((outcome) => outcome.sentAt < signalAt);
  const inFlight = sentBefore.filter((outcome) => outcome.doneAt >= signalAt);
  const failedBefore = sentBefore.filter((outcome) => outcome.status === undefined || outcome.status < 200 || outcome.status >= 300);
  const fiveHundreds = outcomes.filter((outcome) => (outcome.status ?? 0) >= 500 && outcome.status !== 503);
  expect(failedBefore).toEqual([]);
  expect(fiveHundreds).toEqual([]);
  // The signal really met requests in flight (else this test proves nothing).
  expect(inFlight.length).toBeGreaterThan(0);
  // ... and they were held past the probes (else the probes may have raced a finished drain).
  expect(Math.max(...inFlight.map((outcome) => outcome.doneAt)) - signalAt).toBeGreaterThanOrEqual(HELD_PROBES * 25);

  expect(exit.code).toBe(0);
  expect(exit.at - signalAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  expect(app.output()).not.toMatch(/shutdown did not finish|"level":"(error|fatal)"/);

  // Nothing accepted is lost: every order answered 201 was committed.
  const accepted = outcomes.filter((outcome) => outcome.status === 201).map((outcome) => outcome.orderId as string);
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    const stored = await client.query<{ stream_id: string }>(`SELECT stream_id FROM events WHERE type = 'OrderPlaced'`);
    const streams = new Set(stored.rows.map((row) => row.stream_id));
    expect(accepted.filter((id) => !streams.has(`order-${id}`))).toEqual([]);
  } finally {
    await client.end();
  }
});
