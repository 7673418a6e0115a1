import { connect } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OPENAPI_DOCUMENT } from '@oms/contracts';
import { EventStore, IdempotencyStore, OrderProjection, OrderStreams, Outbox, SagaStore, UnitOfWork, initialSagaState, type SagaStatus } from '@oms/domain';
import { createOrderApi } from './order-api.app';
import { testConfig } from './testing/order-api.test-app';

// Compares the served OpenAPI document with the running order-api: its routes, and for every
// operation the statuses the REST edge really answers, each produced by a request that provokes it.

// About 150 requests, several waiting out a 300 ms request timeout, on a shared machine.
jest.setTimeout(120_000);

type Json = Record<string, any>;
type Operation = { readonly method: string; readonly template: string; readonly documented: number[] };

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;
const BODY_LIMIT_BYTES = 16 * 1024;
/** The admin routes exist only with a token; every request here carries it (other routes ignore it). */
const ADMIN_TOKEN = 'openapi-admin-token-0123456789';

/** Every operation of the document with its documented statuses. */
function documentedOperations(): Operation[] {
  const document = JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)) as Json;
  return Object.entries(document['paths'] as Record<string, Json>).flatMap(([template, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      method: method.toUpperCase(),
      template,
      documented: Object.keys(item[method].responses as Json)
        .map(Number)
        .sort((a, b) => a - b),
    })),
  );
}

/** An order-api on memory drivers, its routes recorded as Fastify registers them, listening on a real port. */
async function listeningApi(overrides: Record<string, string> = {}) {
  const app: NestFastifyApplication = await createOrderApi(
    testConfig({ OMS_HTTP_BODY_LIMIT: '16kb', OMS_HTTP_REQUEST_TIMEOUT: '300ms', OMS_ADMIN_TOKEN: ADMIN_TOKEN, ...overrides }),
    { logger: false },
  );
  const routes: string[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
    });
  await app.init();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, routes, port, base: `http://127.0.0.1:${port}` };
}

/** One raw HTTP/1.1 exchange; resolves with the status line's code once the server closes. */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      text += data;
      // Enough to read the status; the server closes after 408 / 431 / 400 by itself.
      if (/^HTTP\/1\.1 \d{3}/.test(text)) socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
  });
}

const anOrder = (customerId = 'openapi') => ({
  customerId,
  currency: 'EUR',
  items: [{ sku: 'SKU-1', qty: 1, price: { currency: 'EUR', amountMinor: '100' } }],
});

describe('the OpenAPI document and the running order-api', () => {
  let api: Awaited<ReturnType<typeof listeningApi>>;
  let limited: Awaited<ReturnType<typeof listeningApi>>;
  let keys = 0;
  const newKey = () => `openapi-${++keys}`;

  beforeAll(async () => {
    api = await listeningApi();
    limited = await listeningApi({ OMS_RATE_LIMIT_ENABLED: 'true', OMS_RATE_LIMIT_RPS: '1', OMS_RATE_LIMIT_BURST: '1' });
  });
  afterAll(async () => {
    await api?.app.close();
    await limited?.app.close();
  });

  const send = async (method: string, path: string, options: { body?: unknown; key?: string; base?: string; token?: string | null } = {}) => {
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    const response = await fetch(`${options.base ?? api.base}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.key !== undefined ? { 'idempotency-key': options.key } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const createOrder = async (): Promise<string> => {
    const response = await fetch(`${api.base}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': newKey() },
      body: JSON.stringify(anOrder()),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as Json)['order'].id as string;
  };
  /** Records the saga's outcomes directly, as the orchestrator would (none runs here). */
  const confirmedOrder = async (): Promise<string> => {
    const orderId = await createOrder();
    expect(await send('POST', `/v1/orders/${orderId}/pay`, { key: newKey() })).toBe(202);
    const orders = api.app.get(OrderStreams);
    const loaded = await orders.load(orderId);
    const sagaId = loaded.state.fulfilmentSagaId as string;
    await orders.execute(orderId, [
      { type: 'RecordStockReserved', data: { sagaId, reservationId: 'res-1' } },
      { type: 'RecordPayment', data: { sagaId, paymentId: 'pay-1', amountMinor: loaded.state.totalMinor } },
      { type: 'ConfirmOrder', data: { sagaId } },
    ]);
    return orderId;
  };

  /** An order with a saga of it in `status`, written as the orchestrator would. */
  const sagaOf = async (status: SagaStatus = 'COMPENSATION_FAILED'): Promise<string> => {
    const orderId = await createOrder();
    const sagaId = `saga-${newKey()}`;
    const now = new Date();
    const state = initialSagaState('cancellation', sagaId, orderId);
    await api.app
      .get(UnitOfWork)
      .commit({ saga: { sagaId, orderId, kind: 'cancellation', status, state, version: 0, nextAttemptAt: null, deadlineAt: null, createdAt: now, updatedAt: now } }, now);
    return sagaId;
  };

  /** Every storage port fails with `error` while `run` runs. */
  const withFailingStorage = async <T>(error: () => Error, run: () => Promise<T>): Promise<T> => {
    const spies: jest.SpyInstance[] = [];
    for (const token of [EventStore, OrderProjection, IdempotencyStore, UnitOfWork, SagaStore, Outbox] as const) {
      const port = api.app.get(token as never) as Record<string, unknown>;
      let prototype = Object.getPrototypeOf(port) as Record<string, unknown> | null;
      const names = new Set<string>();
      while (prototype && prototype !== Object.prototype) {
        for (const name of Object.getOwnPropertyNames(prototype)) if (name !== 'constructor' && typeof port[name] === 'function') names.add(name);
        prototype = Object.getPrototypeOf(prototype) as Record<string, unknown> | null;
      }
      for (const name of names) spies.push(jest.spyOn(port as never, name as never).mockImplementation((() => Promise.reject(error())) as never));
    }
    try {
      return await run();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  };

  /** A mutation held in its commit (or in the outbox write it makes) while a second request with the same key arrives. */
  const whileInFlight = async (first: () => Promise<number>, second: () => Promise<number>, holdOutbox = false): Promise<number> => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const port = (holdOutbox ? api.app.get(Outbox) : api.app.get(UnitOfWork)) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const method = holdOutbox ? 'requeueDeadLetters' : 'commit';
    const original = port[method].bind(port);
    let entered: () => void = () => undefined;
    const inCommit = new Promise<void>((resolve) => (entered = resolve));
    const spy = jest.spyOn(port, method).mockImplementation(async (...args: unknown[]) => {
      entered();
      await gate;
      return original(...args);
    });
    try {
      const held = first();
      await inCommit;
      const status = await second();
      release();
      await held;
      return status;
    } finally {
      spy.mockRestore();
    }
  };

  /** A request of an operation: what it sends, and sending it. */
  interface PreparedRequest {
    readonly method: string;
    readonly path: string;
    readonly body?: unknown;
    run(): Promise<number>;
  }
  const request = (method: string, path: string, body?: unknown, mutation = false): PreparedRequest => ({
    method,
    path,
    ...(body === undefined ? {} : { body }),
    run: () => send(method, path, { ...(body === undefined ? {} : { body }), ...(mutation ? { key: newKey() } : {}) }),
  });

  /** Prepares what it needs (an order in the right state) and returns a request of the operation that should succeed. */
  async function preparedRequest(operation: Operation): Promise<PreparedRequest> {
    switch (`${operation.method} ${operation.template}`) {
      case 'POST /v1/orders':
        return request('POST', '/v1/orders', anOrder(), true);
      case 'GET /v1/orders':
        return request('GET', '/v1/orders?customerId=openapi');
      case 'GET /v1/orders/{id}':
        return request('GET', `/v1/orders/${await createOrder()}`);
      case 'POST /v1/orders/{id}/pay':
        return request('POST', `/v1/orders/${await createOrder()}/pay`, {}, true);
      case 'POST /v1/orders/{id}/cancel':
        return request('POST', `/v1/orders/${await createOrder()}/cancel`, { reason: 'r' }, true);
      case 'POST /v1/orders/{id}/refund':
        return request('POST', `/v1/orders/${await confirmedOrder()}/refund`, { reason: 'r' }, true);
      case 'GET /docs/{asset}':
        return request('GET', '/docs/swagger-ui.css');
      case 'GET /v1/admin/sagas/{id}':
        return request('GET', `/v1/admin/sagas/${await sagaOf()}`);
      case 'POST /v1/admin/sagas/{id}/retry':
        return request('POST', `/v1/admin/sagas/${await sagaOf()}/retry`, {}, true);
      case 'POST /v1/admin/sagas/{id}/resolve':
        return request('POST', `/v1/admin/sagas/${await sagaOf()}/resolve`, { note: 'by hand' }, true);
      case 'POST /v1/admin/dead-letters/reprocess':
        return request('POST', '/v1/admin/dead-letters/reprocess', { limit: 10 }, true);
      default:
        return request(operation.method, operation.template);
    }
  }

  /**
   * The operation-specific ways to make a request of it fail. Each returns the status the server
   * answered (undefined: the operation has no such way).
   */
  function scenarios(operation: Operation): Record<string, () => Promise<number | undefined>> {
    const id = async () => createOrder();
    switch (`${operation.method} ${operation.template}`) {
      case 'POST /v1/orders':
        return {
          invalid: () => send('POST', '/v1/orders', { body: { ...anOrder(), items: [] }, key: newKey() }),
          inFlight: () => {
            const key = newKey();
            const call = () => send('POST', '/v1/orders', { body: anOrder(), key });
            return whileInFlight(call, call);
          },
          keyReused: async () => {
            const key = newKey();
            await send('POST', '/v1/orders', { body: anOrder('first'), key });
            return send('POST', '/v1/orders', { body: anOrder('second'), key });
          },
        };
      case 'GET /v1/orders':
        return { invalid: () => send('GET', '/v1/orders?pageSize=1') };
      case 'GET /v1/orders/{id}':
        return {
          invalid: () => send('GET', `/v1/orders/${'x'.repeat(65)}`),
          notFound: () => send('GET', '/v1/orders/no-such-order'),
        };
      case 'POST /v1/orders/{id}/pay':
      case 'POST /v1/orders/{id}/cancel':
      case 'POST /v1/orders/{id}/refund': {
        const action = operation.template.split('/').at(-1) as 'pay' | 'cancel' | 'refund';
        const target = action === 'refund' ? confirmedOrder : id;
        const body = (reason: string) => (action === 'pay' ? {} : { reason });
        return {
          invalid: async () => send('POST', `/v1/orders/${await target()}/${action}`, { body: body('no key') }),
          notFound: () => send('POST', `/v1/orders/no-such-order/${action}`, { body: body('r'), key: newKey() }),
          conflict: async () => {
            // The order is no longer (or not yet) in a state that allows the action.
            const orderId = action === 'refund' ? await id() : await target();
            if (action !== 'refund') await send('POST', `/v1/orders/${orderId}/${action}`, { body: body('once'), key: newKey() });
            return send('POST', `/v1/orders/${orderId}/${action}`, { body: body('twice'), key: newKey() });
          },
          inFlight: async () => {
            const orderId = await target();
            const key = newKey();
            const call = () => send('POST', `/v1/orders/${orderId}/${action}`, { body: body('same'), key });
            return whileInFlight(call, call);
          },
          // A key reused for another request of the same action (another body), or taken from another operation.
          keyReusedOtherBody: async () => {
            if (action === 'pay') return undefined; // pay has no body that could differ
            const orderId = await target();
            const key = newKey();
            await send('POST', `/v1/orders/${orderId}/${action}`, { body: body('first'), key });
            return send('POST', `/v1/orders/${orderId}/${action}`, { body: body('second'), key });
          },
          keyReusedOtherOperation: async () => {
            const key = newKey();
            expect(await send('POST', '/v1/orders', { body: anOrder(), key })).toBe(201);
            return send('POST', `/v1/orders/${await target()}/${action}`, { body: body('r'), key });
          },
        };
      }
      case 'GET /v1/admin/sagas':
        return { ...adminAuthScenarios('GET', '/v1/admin/sagas'), invalid: () => send('GET', '/v1/admin/sagas?status=STUCK') };
      case 'GET /v1/admin/dead-letters':
        return { ...adminAuthScenarios('GET', '/v1/admin/dead-letters'), invalid: () => send('GET', '/v1/admin/dead-letters?pageSize=0') };
      case 'GET /v1/admin/sagas/{id}':
        return {
          ...adminAuthScenarios('GET', '/v1/admin/sagas/any'),
          invalid: () => send('GET', `/v1/admin/sagas/${'x'.repeat(65)}`),
          notFound: () => send('GET', '/v1/admin/sagas/no-such-saga'),
        };
      case 'POST /v1/admin/sagas/{id}/retry':
      case 'POST /v1/admin/sagas/{id}/resolve': {
        const action = operation.template.split('/').at(-1) as 'retry' | 'resolve';
        const body = (note: string) => (action === 'retry' ? {} : { note });
        const path = (sagaId: string) => `/v1/admin/sagas/${sagaId}/${action}`;
        return {
          ...adminAuthScenarios('POST', path('any'), body('n')),
          invalid: async () => send('POST', path(await sagaOf()), { body: body('no key') }),
          notFound: () => send('POST', path('no-such-saga'), { body: body('n'), key: newKey() }),
          conflict: async () => send('POST', path(await sagaOf('COMPLETED')), { body: body('done already'), key: newKey() }),
          inFlight: async () => {
            const sagaId = await sagaOf();
            const key = newKey();
            const call = () => send('POST', path(sagaId), { body: body('same'), key });
            return whileInFlight(call, call);
          },
          keyReused: async () => {
            const key = newKey();
            await send('POST', path(await sagaOf()), { body: body('first'), key });
            return send('POST', path(await sagaOf()), { body: body('second'), key });
          },
        };
      }
      case 'POST /v1/admin/dead-letters/reprocess': {
        const path = '/v1/admin/dead-letters/reprocess';
        return {
          ...adminAuthScenarios('POST', path, { limit: 1 }),
          invalid: () => send('POST', path, { body: { limit: 1 } }),
          inFlight: () => {
            const key = newKey();
            const call = () => send('POST', path, { body: { limit: 3 }, key });
            return whileInFlight(call, call, true);
          },
          keyReused: async () => {
            const key = newKey();
            await send('POST', path, { body: { limit: 1 }, key });
            return send('POST', path, { body: { limit: 2 }, key });
          },
        };
      }
      case 'GET /openapi.json':
      case 'GET /docs':
      case 'GET /docs/docs-init.js':
        return {};
      case 'GET /docs/{asset}':
        return { notFound: () => send('GET', '/docs/no-such-asset.css') };
      default:
        throw new Error(`no scenarios for ${operation.method} ${operation.template}: add them with the route`);
    }
  }

  /** Without a bearer token, and with one that is not the admin token. */
  function adminAuthScenarios(method: string, path: string, body?: unknown): Record<string, () => Promise<number>> {
    const options = { ...(body === undefined ? {} : { body }), ...(method === 'POST' ? { key: newKey() } : {}) };
    return {
      unauthenticated: () => send(method, path, { ...options, token: null }),
      forbidden: () => send(method, path, { ...options, token: `${ADMIN_TOKEN}-not` }),
    };
  }

  /** Ways any request can fail before or around its handler, tried on a request that would succeed. */
  function transportScenarios(operation: Operation): Record<string, () => Promise<number | undefined>> {
    const served = documentedOperations()
      .filter((candidate) => candidate.template === operation.template)
      .map((candidate) => candidate.method);
    const other = ['DELETE', 'PUT', 'PATCH'].find((method) => !served.includes(method)) as string;
    const head = (prepared: PreparedRequest) =>
      `${prepared.method} ${prepared.path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nIdempotency-Key: ${newKey()}\r\n`;
    const withBody = (prepared: PreparedRequest, contentType: string, body: string) =>
      `${head(prepared)}Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const prepared = () => preparedRequest(operation);
    return {
      success: async () => (await prepared()).run(),
      otherMethod: async () => send(other, (await prepared()).path),
      headNeverEnds: async () => {
        const { method, path } = await prepared();
        return rawStatus(api.port, `${method} ${path} HTTP/1.1\r\nHost: x\r\n`);
      },
      headTooLarge: async () => rawStatus(api.port, `${head(await prepared())}X-Padding: ${'p'.repeat(20 * 1024)}\r\n\r\n`),
      headMalformed: async () => rawStatus(api.port, `${head(await prepared())}X-Bad: a\u0001b\r\n\r\n`),
      bodyTooLarge: async () => {
        const request = await prepared();
        return rawStatus(api.port, withBody(request, 'application/json', JSON.stringify({ ...(request.body as Json), padding: 'x'.repeat(BODY_LIMIT_BYTES + 1) })));
      },
      bodyNotJson: async () => rawStatus(api.port, withBody(await prepared(), 'application/xml', '<order/>')),
      // Three at once against a budget of one: at least two arrive within the same second, however
      // slow the machine is (one after another, a large docs asset could outlast the refill).
      rateLimited: async () => {
        const { method, path } = await prepared();
        const statuses = await Promise.all([1, 2, 3].map(() => send(method, path, { base: limited.base })));
        return statuses.includes(429) ? 429 : statuses[0];
      },
      // The database goes away, or fails unexpectedly, under a request that would have succeeded.
      storageUnavailable: async () => {
        const request = await prepared();
        return withFailingStorage(() => Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }), () => request.run());
      },
      storageBroken: async () => {
        const request = await prepared();
        return withFailingStorage(() => new Error('relation "orders_view" does not exist'), () => request.run());
      },
    };
  }

  it('lists exactly the routes the server registers (HEAD follows GET)', () => {
    const documented = documentedOperations().map((operation) => `${operation.method} ${operation.template.replace(/\{(\w+)\}/g, ':$1')}`);
    const registered = api.routes.filter((route) => {
      // Fastify answers HEAD for every GET route (the GET without its body); the document lists the GET.
      const [method, url] = route.split(' ');
      return !(method === 'HEAD' && api.routes.includes(`GET ${url}`));
    });
    expect([...new Set(registered)].sort()).toEqual(documented.sort());
  });

  it('documents exactly the statuses each operation answers, 405, 408, 413, 415, 429, 431 and 503 included', async () => {
    const mismatches: Json[] = [];
    const everyStatus = new Set<number>();
    for (const operation of documentedOperations()) {
      const answered = new Map<number, string[]>();
      for (const [name, run] of Object.entries({ ...scenarios(operation), ...transportScenarios(operation) })) {
        const status = await run();
        if (status === undefined) continue;
        answered.set(status, [...(answered.get(status) ?? []), name]);
      }
      const statuses = [...answered.keys()].sort((a, b) => a - b);
      statuses.forEach((status) => everyStatus.add(status));
      if (JSON.stringify(statuses) !== JSON.stringify(operation.documented)) {
        mismatches.push({ operation: `${operation.method} ${operation.template}`, documented: operation.documented, answered: Object.fromEntries(answered) });
      }
    }
    expect(mismatches).toEqual([]);
    expect([...everyStatus]).toEqual(expect.arrayContaining([405, 408, 413, 415, 429, 431, 503]));
  });
});
