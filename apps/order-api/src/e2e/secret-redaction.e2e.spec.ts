import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { anOrder, buildApp, call, startApp, waitFor, waitUntilReady, type AppProcess } from './built-app';

// The built order-api runs with secrets configured (a DSN password, a TLS private key) and is
// pushed through start-up, requests, a forced database failure and invalid config. Everything
// it writes or answers (stdout, stderr, /healthz, /readyz, /metrics, error bodies) is searched
// for the secrets: none may appear.

jest.setTimeout(240_000);

const PASSWORD = `s3cr3t-pw-${randomBytes(6).toString('hex')}`;
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;

let main: string;
let database: TestDatabase;
let certDir: string;
let cert = '';
let key = '';
/** Key material as it would appear if leaked: base64 lines of the PEM body. */
let keyLines: string[] = [];
const running: AppProcess[] = [];

function withPassword(dsn: string): string {
  const url = new URL(dsn);
  url.username = url.username || 'postgres';
  url.password = PASSWORD;
  return url.toString();
}

beforeAll(async () => {
  main = buildApp('order-api');
  database = await createTestDatabase('redaction');
  certDir = mkdtempSync(join(tmpdir(), 'oms-redaction-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(certDir, 'tls.key'), '-out', join(certDir, 'tls.crt')],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(certDir, 'tls.crt'), 'utf8');
  key = readFileSync(join(certDir, 'tls.key'), 'utf8');
  keyLines = key.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
});

afterAll(async () => {
  for (const app of running) await app.stop('SIGKILL');
  await database?.drop();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

function expectNoSecrets(corpus: string): void {
  expect(corpus).not.toContain(PASSWORD);
  expect(corpus).not.toContain(TOKEN);
  expect(corpus).not.toContain('PRIVATE KEY-----\n');
  for (const line of keyLines) expect(corpus).not.toContain(line);
}

async function text(url: string, headers: Record<string, string> = {}): Promise<string> {
  try {
    const response = await fetch(url, { headers });
    return `${response.status} ${await response.text()}`;
  } catch (error) {
    return String(error);
  }
}

it('order-api on PostgreSQL with TLS: logs, answers and errors never show the DSN password, tokens or the key', async () => {
  const app = await startApp(main, {
    LOG_LEVEL: 'debug',
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: withPassword(database.dsn),
    OMS_POSTGRES_AUTO_MIGRATE: 'true',
    OMS_GRPC_TLS_CERT: cert,
    OMS_GRPC_TLS_KEY: key,
  });
  running.push(app);
  await waitUntilReady(app);
  const answers: string[] = [];
  const auth = { authorization: `Bearer ${TOKEN}`, cookie: `session=${TOKEN}`, 'x-api-key': TOKEN };

  const created = await call(app.httpUrl, 'POST', '/v1/orders', anOrder('cust-redaction'), { 'idempotency-key': `redaction-${PASSWORD.slice(-4)}`, ...auth });
  expect(created.status).toBe(201);
  answers.push(created.text);
  answers.push((await call(app.httpUrl, 'POST', '/v1/orders', { customerId: '' }, { 'idempotency-key': 'redaction-bad', ...auth })).text);
  answers.push(await text(`${app.opsUrl}/healthz`), await text(`${app.opsUrl}/metrics`));

  // Forced failure: the database disappears under the running app.
  await database.drop();
  const failing = await call(app.httpUrl, 'GET', `/v1/orders/${created.body['order'].id}`, undefined, auth);
  expect(failing.status).toBeGreaterThanOrEqual(500);
  answers.push(failing.text);
  answers.push(await call(app.httpUrl, 'POST', '/v1/orders', anOrder('cust-redaction'), { 'idempotency-key': 'redaction-2', ...auth }).then((answer) => answer.text));
  const notReady = await waitFor('/readyz to fail without the database', async () => {
    const answer = await text(`${app.opsUrl}/readyz`);
    return answer.startsWith('503') ? answer : undefined;
  });
  answers.push(notReady, await text(`${app.opsUrl}/healthz`));

  const exit = await app.stop();
  const corpus = `${app.output()}\n${answers.join('\n')}`;
  // What was captured really covers the run: request lines, the failing check, the shutdown.
  expect(corpus).toContain('"app":"order-api"');
  expect(corpus).toMatch(/"statusCode":201/);
  expect(notReady).toContain('503');
  expect(exit.code).toBe(0);
  expectNoSecrets(corpus);
});

it('an unreachable database with a password in its DSN: start-up output and /healthz stay clean', async () => {
  const app = await startApp(main, {
    OMS_STORAGE_DRIVER: 'postgres',
    // Port 1 refuses connections: the app either reports not-ready or fails to start.
    OMS_POSTGRES_DSN: `postgres://oms:${PASSWORD}@127.0.0.1:1/oms`,
    OMS_GRPC_TLS_CERT: cert,
    OMS_GRPC_TLS_KEY: key,
  });
  running.push(app);
  const answers: string[] = [];
  let exited = false;
  void app.exited.then(() => (exited = true));
  const outcome = await waitFor('an ops answer or the exit', async () => {
    if (exited) return 'exited';
    const answer = await text(`${app.opsUrl}/healthz`);
    if (answer.startsWith('TypeError')) return undefined; // not listening yet
    answers.push(answer);
    return 'answered';
  }, 60_000);
  if (outcome === 'answered') {
    answers.push(await text(`${app.opsUrl}/readyz`));
    expect(answers.at(-1)).toMatch(/^503/);
  }
  await app.stop();
  const corpus = `${app.output()}\n${answers.join('\n')}`;
  expect(corpus.length).toBeGreaterThan(0);
  expectNoSecrets(corpus);
});

it('invalid config naming the secret variables is reported without their values', async () => {
  const app = await startApp(main, {
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: `mysql://oms:${PASSWORD}@db/oms`,
    OMS_GRPC_TLS_KEY: `-----BEGIN PRIVATE KEY-----\n${keyLines[0] ?? 'x'}\n`,
    OMS_HTTP_ADDR: 'not-an-address',
  });
  running.push(app);
  const exit = await app.exited;
  const corpus = app.output();
  expect(exit.code).not.toBe(0);
  expect(corpus).toContain('OMS_POSTGRES_DSN');
  expectNoSecrets(corpus);
});
