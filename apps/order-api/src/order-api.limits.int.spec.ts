import { Metadata, credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { OrderProjection } from '@oms/domain';
import { orderServiceClientConstructor } from '@oms/orders';
import { connect, type Socket } from 'node:net';
import { startTestOrderApi, testConfig, type TestOrderApi } from './testing/order-api.test-app';

type Json = Record<string, any>;
type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: Json) => void) => void;

const anOrder = (customerId = 'limits') => ({
  customerId,
  currency: 'EUR',
  items: [{ sku: 'SKU-1', qty: 1, price: { currency: 'EUR', amountMinor: '100' } }],
});

/** An order-api listening on a real ephemeral port (socket-level limits need the real HTTP parser). */
async function listening(overrides: Record<string, string> = {}): Promise<{ api: TestOrderApi; base: string; port: number }> {
  const api = await startTestOrderApi(testConfig(overrides));
  await api.app.listen(0, '127.0.0.1');
  const address = api.app.getHttpServer().address() as { port: number };
  return { api, base: `http://127.0.0.1:${address.port}`, port: address.port };
}

/** Raw HTTP/1.1 exchange: writes `chunks`, then collects everything until the server closes. */
function rawExchange(port: number, chunks: readonly string[]): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () => chunks.forEach((chunk) => socket.write(chunk)));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (text += data));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.on('close', () => resolve({ text, closed: true }));
  });
}

const statusOf = (rawResponse: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(rawResponse)?.[1]);
const bodyOf = (rawResponse: string): Json => JSON.parse(rawResponse.slice(rawResponse.indexOf('\r\n\r\n') + 4)) as Json;

async function post(base: string, path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'idempotency-key': `k-${Math.random()}`, ...headers } });
}

async function expectProblem(response: Response, statusCode: number, code: string): Promise<Json> {
  expect(response.status).toBe(statusCode);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as Json;
  expect(problem).toMatchObject({ status: statusCode, code });
  return problem;
}

describe('order-api request limits over real HTTP', () => {
  let api: TestOrderApi;
  let base: string;
  let port: number;

  beforeAll(async () => {
    ({ api, base, port } = await listening({ OMS_HTTP_BODY_LIMIT: '16kb', OMS_HTTP_REQUEST_TIMEOUT: '400ms' }));
  });
  afterAll(async () => {
    await api.close();
  });
  afterEach(async () => {
    const created = await post(base, '/v1/orders', JSON.stringify(anOrder('still-serving')));
    expect(created.status).toBe(201);
  });

  it('answers a body above the limit with 413 problem+json', async () => {
    const body = JSON.stringify({ ...anOrder(), customerId: 'x'.repeat(17 * 1024) });
    const problem = await expectProblem(await post(base, '/v1/orders', body), 413, 'PAYLOAD_TOO_LARGE');
    expect(problem.detail).toEqual(expect.any(String));
  });

  it('answers headers above the limit with 431 problem+json and closes the connection', async () => {
    const request = `GET /v1/orders?customerId=c HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20 * 1024)}\r\n\r\n`;
    const { text, closed } = await rawExchange(port, [request]);
    expect(statusOf(text)).toBe(431);
    expect(text).toMatch(/\r\nContent-Type: application\/problem\+json/i);
    expect(bodyOf(text)).toMatchObject({ status: 431, code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' });
    expect(closed).toBe(true);
  });

  it('answers a request that never finishes arriving with 408 problem+json, then closes', async () => {
    // Head and part of the body, then silence: the server must not wait forever.
    const head = `POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: slow-1\r\nContent-Length: 500\r\n\r\n{"customerId":`;
    const { text, closed } = await rawExchange(port, [head]);
    expect(closed).toBe(true);
    expect(statusOf(text)).toBe(408);
    expect(bodyOf(text)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
  });

  it('answers a body dripped byte by byte past the timeout with 408, then closes', async () => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (text += data));
    socket.on('error', () => undefined);
    socket.write('POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: drip-1\r\nContent-Length: 5000\r\n\r\n');
    const drip = setInterval(() => socket.writable && socket.write(' '), 50);
    await new Promise((resolve) => socket.on('close', resolve));
    clearInterval(drip);
    expect(statusOf(text)).toBe(408);
    expect(bodyOf(text)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
  });

  it('answers a request head that never ends with 408, then closes', async () => {
    const { text, closed } = await rawExchange(port, ['GET /v1/orders HTTP/1.1\r\nHost: x\r\n']);
    expect(closed).toBe(true);
    expect(statusOf(text)).toBe(408);
  });

  it('answers control characters in a header value with 400 problem+json', async () => {
    const request = `POST /v1/orders HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0001b\r\nContent-Length: 2\r\n\r\n{}`;
    const { text } = await rawExchange(port, [request]);
    expect(statusOf(text)).toBe(400);
    expect(bodyOf(text)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('answers a non-ASCII idempotency key with 400 naming the header', async () => {
    const request =
      `POST /v1/orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nIdempotency-Key: cl\u00e9\r\n` +
      `Content-Length: ${JSON.stringify(anOrder()).length}\r\n\r\n${JSON.stringify(anOrder())}`;
    const { text } = await rawExchange(port, [request]);
    expect(statusOf(text)).toBe(400);
    expect(bodyOf(text).errors).toEqual([{ field: 'Idempotency-Key', message: expect.stringMatching(/printable ASCII/) }]);
  });

  it('answers a wrong method on a known route with 405 problem+json and Allow', async () => {
    const deleteAll = await fetch(`${base}/v1/orders`, { method: 'DELETE' });
    await expectProblem(deleteAll, 405, 'METHOD_NOT_ALLOWED');
    expect(deleteAll.headers.get('allow')).toBe('GET, HEAD, POST');
    const put = await fetch(`${base}/v1/orders/o-1/cancel`, { method: 'PUT', body: '{}' });
    await expectProblem(put, 405, 'METHOD_NOT_ALLOWED');
    expect(put.headers.get('allow')).toBe('POST');
    await expectProblem(await fetch(`${base}/v1/nothing`, { method: 'DELETE' }), 404, 'NOT_FOUND');
  });
});

describe('order-api internal errors reveal nothing', () => {
  let api: TestOrderApi;
  let base: string;
  let client: Client & Record<string, Unary>;

  beforeAll(async () => {
    ({ api, base } = await listening());
    const OrderService = orderServiceClientConstructor();
    client = new OrderService(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
  });
  afterAll(async () => {
    client.close();
    await api.close();
  });

  it('hides the SQL and the stack of a failing port behind a generic 500 / INTERNAL', async () => {
    const failure = new Error('query failed: SELECT id, status FROM orders_view WHERE customer_id = $1 ORDER BY id');
    failure.stack = `${failure.message}\n    at PostgresOrderProjection.list (/srv/libs/storage/src/order-projection.postgres.ts:42:7)`;
    const list = jest.spyOn(api.app.get(OrderProjection), 'list').mockRejectedValue(failure);
    try {
      const response = await fetch(`${base}/v1/orders?customerId=c`);
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(text)).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred.' });
      expect(text).not.toMatch(/SELECT|FROM|orders_view|\.ts:\d+|PostgresOrderProjection/);

      const error = await new Promise<ServiceError | null>((resolve) => client['ListOrders']({ customerId: 'c' }, new Metadata(), (err) => resolve(err)));
      expect(error?.code).toBe(status.INTERNAL);
      expect(error?.details).not.toMatch(/SELECT|FROM|orders_view|\.ts:\d+|PostgresOrderProjection/);
      expect(list).toHaveBeenCalledTimes(2);
    } finally {
      list.mockRestore();
    }
    expect((await fetch(`${base}/v1/orders?customerId=c`)).status).toBe(200);
  });
});

describe('per-client rate limit', () => {
  it('is off by default: a burst far above the configured one is served', async () => {
    const { api, base } = await listening({ OMS_RATE_LIMIT_RPS: '1', OMS_RATE_LIMIT_BURST: '2' });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/v1/orders?customerId=c`)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    } finally {
      await api.close();
    }
  });

  it('answers REST clients over the limit with 429 problem+json and Retry-After, on any route', async () => {
    const { api, base } = await listening({ OMS_RATE_LIMIT_ENABLED: 'true', OMS_RATE_LIMIT_RPS: '1', OMS_RATE_LIMIT_BURST: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/v1/orders?customerId=c`)).status);
      expect(statuses).toEqual([200, 200, 200]);
      const limited = await fetch(`${base}/v1/orders?customerId=c`);
      const problem = await expectProblem(limited, 429, 'TOO_MANY_REQUESTS');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(problem.detail).toMatch(/retry after \d+ s/);
      await expectProblem(await fetch(`${base}/v2/unknown`), 429, 'TOO_MANY_REQUESTS');
      await expectProblem(await post(base, '/v1/orders', JSON.stringify(anOrder())), 429, 'TOO_MANY_REQUESTS');
    } finally {
      await api.close();
    }
  });

  // The test's client is the peer 127.0.0.1; X-Forwarded-For says which client it forwards for.
  const listFor = (base: string, forwardedFor: string) => fetch(`${base}/v1/orders?customerId=c`, { headers: { 'x-forwarded-for': forwardedFor } });

  it('behind a trusted proxy, each forwarded client has its own budget (the rightmost untrusted address)', async () => {
    const { api, base } = await listening({
      OMS_RATE_LIMIT_ENABLED: 'true',
      OMS_RATE_LIMIT_RPS: '1',
      OMS_RATE_LIMIT_BURST: '2',
      OMS_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1',
    });
    try {
      // Each burst is sent at once, so that no refill (1/s) falls between its requests on a loaded machine.
      const statuses = async (...chains: string[]) => (await Promise.all(chains.map((chain) => listFor(base, chain)))).map((answer) => answer.status);
      // The left entries can be spoofed by the client: only the rightmost untrusted address counts.
      expect(await statuses('203.0.113.1', '198.51.100.7, 203.0.113.1', '192.0.2.9, 203.0.113.1')).toContain(429);
      expect(await statuses('203.0.113.2')).toEqual([200]); // another client, its own budget
      // A trusted hop (10.1.2.3) is skipped: still client 203.0.113.2.
      expect(await statuses('203.0.113.2, 10.1.2.3', '203.0.113.2')).toContain(429);
    } finally {
      await api.close();
    }
  });

  it('from a peer that is not a trusted proxy, X-Forwarded-For is ignored: one budget for the peer', async () => {
    const { api, base } = await listening({ OMS_RATE_LIMIT_ENABLED: 'true', OMS_RATE_LIMIT_RPS: '1', OMS_RATE_LIMIT_BURST: '2', OMS_TRUSTED_PROXIES: '10.0.0.0/8' });
    try {
      const answers = await Promise.all(['203.0.113.1', '203.0.113.2', '203.0.113.3'].map((chain) => listFor(base, chain)));
      expect(answers.map((answer) => answer.status)).toContain(429);
    } finally {
      await api.close();
    }
  });

  it('answers gRPC peers over the limit with RESOURCE_EXHAUSTED and retry-after', async () => {
    const api = await startTestOrderApi(testConfig({ OMS_RATE_LIMIT_ENABLED: 'true', OMS_RATE_LIMIT_RPS: '1', OMS_RATE_LIMIT_BURST: '2' }));
    const OrderService = orderServiceClientConstructor();
    const client = new OrderService(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
    const list = () => new Promise<ServiceError | null>((resolve) => client['ListOrders']({ customerId: 'c' }, new Metadata(), (error) => resolve(error)));
    try {
      expect([await list(), await list()]).toEqual([null, null]);
      const limited = await list();
      expect(limited?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(limited?.details).toMatch(/rate limit exceeded/);
      expect(Number(limited?.metadata.get('retry-after')[0])).toBeGreaterThanOrEqual(1);
    } finally {
      client.close();
      await api.close();
    }
  });
});
