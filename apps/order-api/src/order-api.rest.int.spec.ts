import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OPENAPI_DOCUMENT } from '@oms/contracts';
import { IdempotencyStore } from '@oms/domain';
import { startTestOrderApi, type TestOrderApi } from './testing/order-api.test-app';

type Json = Record<string, any>;

describe('order-api over REST (memory drivers)', () => {
  let api: TestOrderApi;
  let app: NestFastifyApplication;
  let keyCounter = 0;
  const newKey = () => `key-${++keyCounter}`;

  beforeAll(async () => {
    api = await startTestOrderApi();
    app = api.app;
  });
  afterAll(async () => {
    await api.close();
  });

  const anOrderBody = (customerId = 'cust-1', overrides: Json = {}) => ({
    customerId,
    currency: 'EUR',
    items: [
      { sku: 'SKU-1', qty: 2, price: { currency: 'EUR', amountMinor: '1999' } },
      { sku: 'SKU-2', qty: 1, price: { currency: 'EUR', amountMinor: 500 } },
    ],
    ...overrides,
  });

  async function request(method: 'GET' | 'POST' | 'DELETE' | 'PUT', url: string, options: { body?: unknown; key?: string; raw?: string } = {}) {
    const response = await app.inject({
      method,
      url,
      headers: {
        ...(options.key ? { 'idempotency-key': options.key } : {}),
        ...(options.body !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.raw !== undefined ? { payload: options.raw } : options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
    });
    return { status: response.statusCode, headers: response.headers, text: response.body, json: () => JSON.parse(response.body) as Json };
  }

  const create = (body: unknown = anOrderBody(), key = newKey()) => request('POST', '/v1/orders', { body, key });

  function expectProblem(response: Awaited<ReturnType<typeof request>>, status: number, code: string): Json {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ status, code, title: expect.any(String), type: expect.any(String) });
    expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
    return problem;
  }

  it('creates an order (201) that GET then shows with its timeline', async () => {
    const created = await create();
    expect(created.status).toBe(201);
    const { order } = created.json();
    expect(order).toMatchObject({
      customerId: 'cust-1',
      status: 'ORDER_STATUS_PENDING',
      currency: 'EUR',
      amount: { currency: 'EUR', amountMinor: '4498' },
      version: '1',
      items: [
        { sku: 'SKU-1', qty: 2, price: { currency: 'EUR', amountMinor: '1999' } },
        { sku: 'SKU-2', qty: 1, price: { currency: 'EUR', amountMinor: '500' } },
      ],
    });
    const fetched = await request('GET', `/v1/orders/${order.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.json().order).toEqual(order);
    expect(fetched.json().timeline).toEqual([{ type: 'OrderPlaced', reason: '', unixTime: expect.stringMatching(/^\d+$/) }]);
    expect(fetched.json().refunded).toEqual({ currency: 'EUR', amountMinor: '0' });
  });

  it('replays the same key and body with the identical status and body, creating one order only', async () => {
    const body = anOrderBody('cust-replay');
    const first = await create(body, 'replay-key');
    const again = await create({ ...body, items: body.items.map((item) => ({ ...item })) }, 'replay-key');
    expect(again.status).toBe(first.status);
    expect(again.text).toBe(first.text);
    const listed = await request('GET', '/v1/orders?customerId=cust-replay');
    expect(listed.json().orders).toHaveLength(1);
  });

  it('creates exactly one order for 20 concurrent identical requests with one key', async () => {
    const body = anOrderBody('cust-concurrent');
    const answers = await Promise.all(Array.from({ length: 20 }, () => create(body, 'concurrent-key')));
    const created = answers.filter((answer) => answer.status === 201);
    const inFlight = answers.filter((answer) => answer.status === 409);
    expect(created.length + inFlight.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((answer) => answer.text)).size).toBe(1);
    for (const answer of inFlight) expect(answer.json().code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
    const listed = await request('GET', '/v1/orders?customerId=cust-concurrent');
    expect(listed.json().orders).toHaveLength(1);
    expect((await create(body, 'concurrent-key')).text).toBe(created[0]?.text);
  });

  it('answers 422 when a key is reused with another body', async () => {
    await create(anOrderBody('cust-a'), 'reused-key');
    const problem = expectProblem(await create(anOrderBody('cust-b'), 'reused-key'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(problem.detail).toMatch(/already used for CreateOrder with another request/);
  });

  it('answers 400 naming the header when the idempotency key is missing', async () => {
    const response = await request('POST', '/v1/orders', { body: anOrderBody() });
    const problem = expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([{ field: 'Idempotency-Key', message: expect.stringMatching(/required/) }]);
  });

  it('names all three invalid fields of a body in one 400', async () => {
    const body = {
      currency: 'EUR',
      items: [
        { sku: 'SKU-1', qty: 0, price: { currency: 'EUR', amountMinor: '100' } },
        { sku: 'SKU-2', qty: 1, price: { currency: 'EUR', amountMinor: '12.5' } },
      ],
    };
    const problem = expectProblem(await create(body), 400, 'VALIDATION_FAILED');
    expect(problem.errors.map((error: Json) => error.field).sort()).toEqual(['customerId', 'items[0].qty', 'items[1].price.amountMinor']);
  });

  it('rejects amounts beyond 2^53-1 instead of rounding them, as strings and as numbers', async () => {
    const items = [
      { sku: 'A', qty: 1, price: { currency: 'EUR', amountMinor: '9007199254740993' } },
      { sku: 'B', qty: 1, price: { currency: 'EUR', amountMinor: 1 } },
    ];
    // A JSON number literal beyond 2^53 (JSON.stringify could not write it).
    const raw = JSON.stringify(anOrderBody('cust-big', { items })).replace('"amountMinor":1}', '"amountMinor":9007199254740993}');
    expect(raw).toContain('"amountMinor":9007199254740993}');
    const problem = expectProblem(await request('POST', '/v1/orders', { raw, key: newKey() }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([
      { field: 'items[0].price.amountMinor', message: expect.stringMatching(/out of range/) },
      { field: 'items[1].price.amountMinor', message: expect.stringMatching(/out of range/) },
    ]);
  });

  it('checks currencies, item limits, unknown fields and accepts snake_case names', async () => {
    const mixed = await create(
      anOrderBody('cust-x', {
        currency: 'EUR',
        items: [{ sku: 'A', qty: 1, price: { currency: 'USD', amountMinor: '1' } }],
        colour: 'red',
      }),
    );
    const problem = expectProblem(mixed, 400, 'VALIDATION_FAILED');
    expect(problem.errors.map((error: Json) => error.field).sort()).toEqual(['colour', 'items[0].price.currency']);

    const tooMany = anOrderBody('cust-x', {
      items: Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, qty: 1, price: { currency: 'EUR', amountMinor: '1' } })),
    });
    expect(expectProblem(await create(tooMany), 400, 'VALIDATION_FAILED').errors).toEqual([
      { field: 'items', message: expect.stringMatching(/at most 100/) },
    ]);

    const badCurrency = await create(anOrderBody('cust-x', { currency: 'EURO', items: [{ sku: 'A', qty: 10_001, price: { currency: 'ABC', amountMinor: '1' } }] }));
    expect(expectProblem(badCurrency, 400, 'VALIDATION_FAILED').errors.map((error: Json) => error.field).sort()).toEqual([
      'currency',
      'items[0].price.currency',
      'items[0].qty',
    ]);

    const snake = await create({ customer_id: 'cust-snake', items: [{ sku: 'A', qty: 1, price: { currency: 'JPY', amount_minor: 100 } }] });
    expect(snake.status).toBe(201);
    expect(snake.json().order).toMatchObject({ customerId: 'cust-snake', currency: 'JPY' });
  });

  it('answers 404 for an unknown order, on GET and on mutations', async () => {
    expectProblem(await request('GET', '/v1/orders/no-such-order'), 404, 'ORDER_NOT_FOUND');
    expectProblem(await request('POST', '/v1/orders/no-such-order/pay', { key: newKey() }), 404, 'ORDER_NOT_FOUND');
    const longId = 'x'.repeat(65);
    const problem = expectProblem(await request('GET', `/v1/orders/${longId}`), 400, 'VALIDATION_FAILED');
    expect(problem.errors[0].field).toBe('id');
  });

  it('pays (202), replays the pay, cancels and rejects an impossible refund with 409', async () => {
    const { order } = (await create(anOrderBody('cust-life'))).json();
    const pay = await request('POST', `/v1/orders/${order.id}/pay`, { key: 'pay-1' });
    expect(pay.status).toBe(202);
    expect(pay.json()).toEqual({ orderId: order.id, status: 'ORDER_STATUS_PENDING' });
    const payAgain = await request('POST', `/v1/orders/${order.id}/pay`, { key: 'pay-1' });
    expect([payAgain.status, payAgain.text]).toEqual([pay.status, pay.text]);
    expectProblem(await request('POST', `/v1/orders/${order.id}/pay`, { key: 'pay-2' }), 409, 'ORDER_PAYMENT_ALREADY_REQUESTED');

    const refund = await request('POST', `/v1/orders/${order.id}/refund`, { key: newKey(), body: { reason: 'x' } });
    expect(refund.status).toBe(409);

    const other = (await create(anOrderBody('cust-life'))).json().order;
    const cancel = await request('POST', `/v1/orders/${other.id}/cancel`, { key: newKey(), body: { reason: 'changed my mind' } });
    expect(cancel.status).toBe(202);
    expect(cancel.json()).toEqual({ orderId: other.id, status: 'ORDER_STATUS_CANCELED' });
    const timeline = (await request('GET', `/v1/orders/${other.id}`)).json().timeline;
    expect(timeline.map((event: Json) => [event.type, event.reason])).toEqual([
      ['OrderPlaced', ''],
      ['OrderCanceled', 'changed my mind'],
    ]);
  });

  it('stores a rejection with its key: a retry gets the same answer', async () => {
    const first = await request('POST', '/v1/orders/missing-order/cancel', { key: 'cancel-missing', body: { reason: 'r' } });
    const second = await request('POST', '/v1/orders/missing-order/cancel', { key: 'cancel-missing', body: { reason: 'r' } });
    expect(first.status).toBe(404);
    expect([second.status, second.text]).toEqual([first.status, first.text]);
  });

  it('replays keys completed by the previous release (REST status stored, no outcome) with the same status and bytes', async () => {
    const { order } = (await create(anOrderBody('cust-legacy'), 'legacy-create')).json();
    const answers = {
      create: await create(anOrderBody('cust-legacy'), 'legacy-create'),
      pay: await request('POST', `/v1/orders/${order.id}/pay`, { key: 'legacy-pay' }),
      rejected: await request('POST', '/v1/orders/missing-order/pay', { key: 'legacy-rejected' }),
    };
    expect([answers.create.status, answers.pay.status, answers.rejected.status]).toEqual([201, 202, 404]);
    // Rows as the previous release wrote them: the REST status next to the body, no outcome.
    const store = app.get(IdempotencyStore);
    const begin = store.begin.bind(store);
    const legacyStatus: Record<string, number> = { created: 201, accepted: 202, rejected: 404 };
    const spy = jest.spyOn(store, 'begin').mockImplementation(async (claim, now) => {
      const begun = await begin(claim, now);
      if (begun.outcome !== 'replay' || !('outcome' in begun.response)) return begun;
      return { outcome: 'replay', response: { status: legacyStatus[begun.response.outcome] as number, body: begun.response.body } };
    });
    try {
      const replayed = {
        create: await create(anOrderBody('cust-legacy'), 'legacy-create'),
        pay: await request('POST', `/v1/orders/${order.id}/pay`, { key: 'legacy-pay' }),
        rejected: await request('POST', '/v1/orders/missing-order/pay', { key: 'legacy-rejected' }),
      };
      for (const name of ['create', 'pay', 'rejected'] as const) {
        expect([name, replayed[name].status, replayed[name].text]).toEqual([name, answers[name].status, answers[name].text]);
      }
      expect(spy).toHaveBeenCalledTimes(3);
    } finally {
      spy.mockRestore();
    }
    expect((await request('GET', '/v1/orders?customerId=cust-legacy')).json().orders).toHaveLength(1);
  });

  it('pages through a customer\'s orders with a status filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(anOrderBody('cust-pages'))).json().order.id);
    await request('POST', `/v1/orders/${ids[1]}/cancel`, { key: newKey(), body: {} });

    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await request('GET', `/v1/orders?customerId=cust-pages&pageSize=2&filterStatuses=ORDER_STATUS_PENDING${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      expect(page.status).toBe(200);
      const body = page.json();
      expect(body.orders.length).toBeLessThanOrEqual(2);
      for (const order of body.orders) {
        expect(order.status).toBe('ORDER_STATUS_PENDING');
        seen.push(order.id);
      }
      token = body.nextPageToken;
      pages += 1;
    } while (token !== '' && pages < 10);
    expect(seen.sort()).toEqual(ids.filter((id) => id !== ids[1]).sort());
    expect(pages).toBe(2);

    const canceled = await request('GET', '/v1/orders?customer_id=cust-pages&filterStatuses=ORDER_STATUS_CANCELED,ORDER_STATUS_REFUNDED');
    expect(canceled.json()).toEqual({ orders: [expect.objectContaining({ id: ids[1] })], nextPageToken: '' });
    const repeated = await request('GET', '/v1/orders?customerId=cust-pages&filterStatuses=ORDER_STATUS_CANCELED&filterStatuses=ORDER_STATUS_PENDING');
    expect(repeated.json().orders).toHaveLength(5);
  });

  it('rejects bad list queries naming each parameter', async () => {
    const tooBig = expectProblem(await request('GET', '/v1/orders?customerId=c&pageSize=501'), 400, 'VALIDATION_FAILED');
    expect(tooBig.errors).toEqual([{ field: 'pageSize', message: expect.stringMatching(/500/) }]);
    const several = expectProblem(await request('GET', '/v1/orders?filterStatuses=SHIPPED&pageToken=garbage!'), 400, 'VALIDATION_FAILED');
    expect(several.errors.map((error: Json) => error.field).sort()).toEqual(['customerId', 'filterStatuses[0]']);
    const badToken = expectProblem(await request('GET', '/v1/orders?customerId=c&pageToken=not-a-token'), 400, 'VALIDATION_FAILED');
    expect(badToken.errors).toEqual([{ field: 'pageToken', message: expect.any(String) }]);
  });

  it('answers transport errors as problem+json: malformed JSON 400, oversized 413, unknown route 404, wrong method', async () => {
    const malformed = expectProblem(await request('POST', '/v1/orders', { raw: '{"customerId": ', key: newKey() }), 400, 'MALFORMED_REQUEST');
    expect(malformed.detail).toMatch(/JSON/);
    const huge = JSON.stringify(anOrderBody('cust-huge', { items: [{ sku: 'A'.repeat(20_000), qty: 1, price: { currency: 'EUR', amountMinor: '1' } }] }));
    expectProblem(await request('POST', '/v1/orders', { raw: huge, key: newKey() }), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await request('GET', '/v2/nothing'), 404, 'NOT_FOUND');
    const wrongMethod = await request('DELETE', '/v1/orders');
    expect([404, 405]).toContain(wrongMethod.status);
    expect(wrongMethod.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers an unexpected failure with a generic 500 problem that hides the cause', async () => {
    const store = app.get(IdempotencyStore);
    const begin = jest.spyOn(store, 'begin').mockRejectedValueOnce(new Error('relation "idempotency_keys" does not exist'));
    try {
      const problem = expectProblem(await create(anOrderBody('cust-500')), 500, 'INTERNAL');
      expect(problem.detail).toBe('An unexpected error occurred.');
      expect(JSON.stringify(problem)).not.toMatch(/relation|idempotency_keys/);
    } finally {
      begin.mockRestore();
    }
  });

  it('serves the OpenAPI document and a local Swagger UI page', async () => {
    const spec = await request('GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.json()).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
    const page = await request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const bundle = await request('GET', '/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expectProblem(await request('GET', '/docs/..%2Fpackage.json'), 404, 'NOT_FOUND');
  });
});
