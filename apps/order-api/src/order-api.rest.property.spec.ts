import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { startTestOrderApi, testConfig, type TestOrderApi } from './testing/order-api.test-app';
import { propertySettings } from '@oms/testing';

/**
 * Bad input over REST, generated: whatever a client sends, the answer is a 4xx problem+json
 * that names the problem, never a 5xx, and the API keeps serving. Fixed seed, so a failure
 * reproduces; OMS_PROPERTY_SEED / OMS_PROPERTY_RUNS explore further (docs/reliability.md).
 */
// Test knobs, not service config: read here because they only steer the generators.
const SEED = propertySettings().seed;
const RUNS = propertySettings().runs;
fc.configureGlobal({ seed: SEED, numRuns: RUNS, endOnFailure: true });
const heavyRuns = Math.max(2, Math.ceil(RUNS / 25));
jest.setTimeout(Math.max(30_000, RUNS * 100)); // longer runs get the time they need

type Json = Record<string, any>;
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly text: string;
}

const BODY_LIMIT = 1024 * 1024;
const STACK_OR_SQL = /\bat .+\.(ts|js):\d+|\b(SELECT|INSERT|UPDATE|DELETE)\b.+\b(FROM|INTO|SET|WHERE)\b/;

describe('order-api over REST: bad input never yields a 5xx (property-based)', () => {
  let api: TestOrderApi;
  let app: NestFastifyApplication;
  let keyCounter = 0;
  const newKey = () => `prop-key-${++keyCounter}`;

  beforeAll(async () => {
    api = await startTestOrderApi(testConfig({ OMS_HTTP_BODY_LIMIT: `${BODY_LIMIT}b` }));
    app = api.app;
    console.log(`REST properties: seed ${SEED}, ${RUNS} runs (OMS_PROPERTY_SEED, OMS_PROPERTY_RUNS)`);
  });
  afterAll(async () => {
    await api.close();
  });

  async function send(method: string, url: string, payload?: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
    return { status: response.statusCode, headers: response.headers, text: response.body };
  }

  const post = (url: string, body: unknown, key: string = newKey()) =>
    send('POST', url, typeof body === 'string' ? body : JSON.stringify(body), { 'idempotency-key': key });

  /** A 4xx problem+json whose code and detail say what was wrong, and nothing internal. */
  function expectClientProblem(answer: Answer, label: string): Json {
    if (answer.status < 400 || answer.status > 499) {
      throw new Error(`${label}: expected a 4xx, got ${answer.status}: ${answer.text.slice(0, 500)}`);
    }
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(answer.text) as Json;
    expect(problem).toMatchObject({ status: answer.status, code: expect.stringMatching(/^[A-Z_]+$/), title: expect.any(String) });
    expect(problem.detail).toEqual(expect.any(String));
    expect(problem.detail.length).toBeGreaterThan(0);
    expect(answer.text).not.toMatch(STACK_OR_SQL);
    if (problem.code === 'VALIDATION_FAILED') {
      expect(problem.errors.length).toBeGreaterThan(0);
      for (const error of problem.errors) expect(error.field).toEqual(expect.stringMatching(/\S/));
    }
    return problem;
  }

  /** Accepted (the input happened to be valid) or a 4xx problem; never anything else. */
  function expectCreatedOrClientProblem(answer: Answer, label: string): Json | undefined {
    if (answer.status === 201) return undefined;
    return expectClientProblem(answer, label);
  }

  const fieldsOf = (problem: Json | undefined): string[] => (problem?.errors ?? []).map((error: Json) => error.field);

  const validOrder = (customerId = 'prop-cust'): Json => ({
    customerId,
    currency: 'EUR',
    items: [
      { sku: 'SKU-1', qty: 2, price: { currency: 'EUR', amountMinor: '1999' } },
      { sku: 'SKU-2', qty: 1, price: { currency: 'EUR', amountMinor: 500 } },
    ],
  });

  /** After every batch the API still takes a valid order. */
  async function expectStillServing(): Promise<void> {
    const answer = await post('/v1/orders', validOrder('after-batch'));
    expect(answer.status).toBe(201);
  }

  afterEach(async () => {
    await expectStillServing();
  });

  // ---- generators ------------------------------------------------------------------------

  /** Any JSON value, deep and wide enough to hit every type check. */
  const anyJson = fc.jsonValue({ maxDepth: 3 });
  const weirdString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom('', ' ', '\u0000', '\u0007bell', 'tab\there', 'line\nbreak', '\u202etxet', '\ud83d\ude00', '\u200b', 'NULL', 'null', '💥'.repeat(70)),
  );
  const hugeString = fc.integer({ min: 65, max: 200_000 }).map((length) => 'x'.repeat(length));
  /** Amounts / quantities no validator may let through silently. */
  const badNumber = fc.oneof(
    fc.integer({ max: -1 }),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map(String),
    fc.bigInt({ min: -(2n ** 70n), max: -1n }).map(String),
    fc.constantFrom('9223372036854775808', '18446744073709551616', '1e3', '0x10', '12.5', '-0.5', ' 1', '1 ', '+1', 'NaN', 'Infinity', '', '١٢٣'),
    fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(true, false, null, [], {}, [1], { amountMinor: 1 }),
  );
  type Path = readonly (string | number)[];
  const path = fc.constantFrom<Path>(
    ['customerId'],
    ['currency'],
    ['items'],
    ['items', 0],
    ['items', 0, 'sku'],
    ['items', 0, 'qty'],
    ['items', 0, 'price'],
    ['items', 1, 'price', 'currency'],
    ['items', 1, 'price', 'amountMinor'],
  );

  function setAt(target: Json, at: Path, value: unknown): Json {
    const copy = JSON.parse(JSON.stringify(target)) as Json;
    let node: any = copy;
    for (const step of at.slice(0, -1)) node = node[step];
    node[at[at.length - 1] as string] = value;
    return copy;
  }

  function deleteAt(target: Json, at: Path): Json {
    const copy = JSON.parse(JSON.stringify(target)) as Json;
    let node: any = copy;
    for (const step of at.slice(0, -1)) node = node[step];
    const last = at[at.length - 1] as string | number;
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
    return copy;
  }

  const publicPath = (at: Path): string =>
    at.map((step, index) => (typeof step === 'number' ? `[${step}]` : index === 0 ? step : `.${step}`)).join('');

  // ---- properties ------------------------------------------------------------------------

  it('malformed JSON bodies answer 400 MALFORMED_REQUEST on every mutation route', async () => {
    const notJson = fc.oneof(
      fc.string({ minLength: 1, maxLength: 200 }).filter((text) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      }),
      fc.json().map((text) => text.slice(0, Math.max(1, text.length - 1)) + '{').filter((text) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      }),
      fc.constantFrom('{', '{"customerId": ', "{'a':1}", '{"a":1,}', '\u0000', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {"x": 1}}}'),
    );
    const route = fc.constantFrom('/v1/orders', '/v1/orders/some-order/pay', '/v1/orders/some-order/cancel', '/v1/orders/some-order/refund');
    await fc.assert(
      fc.asyncProperty(route, notJson, async (url, raw) => {
        const problem = expectClientProblem(await post(url, raw), `POST ${url} ${JSON.stringify(raw)}`);
        expect(problem.status).toBe(400);
      }),
    );
  });

  it('any JSON value as the body of any route is accepted or a 4xx problem', async () => {
    const route = fc.constantFrom('/v1/orders', '/v1/orders/o-1/pay', '/v1/orders/o-1/cancel', '/v1/orders/o-1/refund');
    await fc.assert(
      fc.asyncProperty(route, anyJson, async (url, body) => {
        const answer = await post(url, body);
        if (answer.status !== 201) expectClientProblem(answer, `POST ${url} ${JSON.stringify(body)}`);
      }),
    );
  });

  it('a wrong type anywhere in a create is a 400 naming that field (or its parent)', async () => {
    await fc.assert(
      fc.asyncProperty(path, fc.oneof(anyJson, badNumber), async (at, value) => {
        const answer = await post('/v1/orders', setAt(validOrder(), at, value));
        const problem = expectCreatedOrClientProblem(answer, `${publicPath(at)} = ${JSON.stringify(value)}`);
        if (problem?.code === 'VALIDATION_FAILED') {
          const named = fieldsOf(problem);
          expect(named.some((field) => field.startsWith(publicPath(at).split('.')[0] as string) || field === 'currency' || field.includes('currency'))).toBe(true);
        }
      }),
    );
  });

  it('missing and extra fields are 400s that name them', async () => {
    const extraName = fc.string({ minLength: 1, maxLength: 30 }).filter((name) => !/^(customer_?[iI]d|currency|items|__proto__)$/.test(name));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(undefined), path), fc.option(fc.tuple(path, extraName, anyJson)), async (missing, extra) => {
        let body = validOrder();
        if (missing) body = deleteAt(body, missing);
        if (extra) {
          const [at, name, value] = extra;
          const parent = at.slice(0, -1);
          const holder = parent.length === 0 ? body : parent.reduce<any>((node, step) => node?.[step], body);
          if (holder && typeof holder === 'object' && !Array.isArray(holder)) holder[name] = value;
        }
        const answer = await post('/v1/orders', body);
        // Leaving out an optional field (currency, one of the two items) can still be a valid order.
        const problem = expectCreatedOrClientProblem(answer, `missing ${JSON.stringify(missing)} extra ${JSON.stringify(extra)}`);
        if (extra && problem) expect(problem.code).toBe('VALIDATION_FAILED');
        if (missing?.[0] === 'customerId') expect(fieldsOf(problem)).toContain('customerId');
      }),
    );
  });

  it('unicode and control characters in ids, SKUs and reasons never break the API', async () => {
    await fc.assert(
      fc.asyncProperty(weirdString, weirdString, weirdString, async (customerId, sku, reason) => {
        const body = setAt(setAt(validOrder(), ['customerId'], customerId), ['items', 0, 'sku'], sku);
        const created = await post('/v1/orders', body);
        const problem = expectCreatedOrClientProblem(created, `customerId ${JSON.stringify(customerId)} sku ${JSON.stringify(sku)}`);
        if (problem) expect(fieldsOf(problem).some((field) => field === 'customerId' || field === 'items[0].sku')).toBe(true);
        const id = created.status === 201 ? (JSON.parse(created.text) as Json).order.id : 'missing-order';
        const cancel = await post(`/v1/orders/${encodeURIComponent(id)}/cancel`, { reason });
        if (cancel.status !== 202) expectClientProblem(cancel, `cancel reason ${JSON.stringify(reason)}`);
        const get = await send('GET', `/v1/orders/${encodeURIComponent(customerId)}`);
        if (get.status !== 200) expectClientProblem(get, `GET /v1/orders/${JSON.stringify(customerId)}`);
        const list = await send('GET', `/v1/orders?customerId=${encodeURIComponent(customerId)}&pageToken=${encodeURIComponent(reason)}`);
        if (list.status !== 200) expectClientProblem(list, `list ${JSON.stringify(customerId)}`);
      }),
    );
  });

  it('huge strings are refused with 400 naming the field, or 413 above the body limit', async () => {
    const field = fc.constantFrom<Path>(['customerId'], ['currency'], ['items', 0, 'sku'], ['items', 0, 'price', 'currency'], ['items', 0, 'price', 'amountMinor']);
    await fc.assert(
      fc.asyncProperty(field, hugeString, async (at, value) => {
        const problem = expectClientProblem(await post('/v1/orders', setAt(validOrder(), at, value)), `${publicPath(at)} of ${value.length} chars`);
        if (problem.status === 400) expect(fieldsOf(problem)).toContain(publicPath(at));
        else expect(problem.status).toBe(413);
      }),
      { numRuns: Math.max(10, Math.ceil(RUNS / 4)) },
    );
  });

  it('10,000 items are refused with a 400 naming items, not processed one by one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 101, max: 10_000 }), fc.boolean(), async (count, exact) => {
        const length = exact ? 10_000 : count;
        const items = Array.from({ length }, (_, index) => ({ sku: `S${index}`, qty: 1, price: { currency: 'EUR', amountMinor: '1' } }));
        const problem = expectClientProblem(await post('/v1/orders', { ...validOrder(), items }), `${length} items`);
        expect(problem.status).toBe(400);
        expect(problem.errors).toEqual([{ field: 'items', message: expect.stringMatching(/at most 100/) }]);
      }),
      { numRuns: heavyRuns },
    );
  });

  it('negative, zero, fractional and overflowing amounts and quantities are 4xx naming the field', async () => {
    const field = fc.constantFrom<Path>(['items', 0, 'qty'], ['items', 1, 'price', 'amountMinor']);
    await fc.assert(
      fc.asyncProperty(field, badNumber, async (at, value) => {
        const problem = expectClientProblem(await post('/v1/orders', setAt(validOrder(), at, value)), `${publicPath(at)} = ${JSON.stringify(value)}`);
        expect(problem.status).toBe(400);
        expect(fieldsOf(problem)).toContain(publicPath(at));
      }),
    );
    // qty 0 is a bad quantity; a zero unit price is a free item and allowed.
    expect(fieldsOf(JSON.parse((await post('/v1/orders', setAt(validOrder(), ['items', 0, 'qty'], 0))).text))).toEqual(['items[0].qty']);
  });

  it('JSON number literals beyond 2^53 and beyond int64 are refused, never rounded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }), fc.boolean(), async (big, negative) => {
        const literal = `${negative ? '-' : ''}${big}`;
        const raw = JSON.stringify(validOrder()).replace('"amountMinor":500', `"amountMinor":${literal}`);
        expect(raw).toContain(literal);
        const problem = expectClientProblem(await post('/v1/orders', raw), `amountMinor ${literal}`);
        expect(fieldsOf(problem)).toEqual(['items[1].price.amountMinor']);
      }),
    );
  });

  it('totals beyond 2^53 - 1 built from valid lines are a 400, not an overflow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 10_000 }),
        fc.integer({ min: Math.ceil(Number.MAX_SAFE_INTEGER / 2), max: Number.MAX_SAFE_INTEGER }),
        async (qty, unit) => {
          const body = setAt(setAt(validOrder(), ['items', 0, 'qty'], qty), ['items', 0, 'price', 'amountMinor'], String(unit));
          const problem = expectClientProblem(await post('/v1/orders', body), `qty ${qty} x ${unit}`);
          expect(problem.status).toBe(400);
          expect(problem.code).toMatch(/AMOUNT_OUT_OF_RANGE|VALIDATION_FAILED/);
        },
      ),
    );
  });

  it('mixed currencies are a 400 naming each item in another currency', async () => {
    const currency = fc.constantFrom('EUR', 'USD', 'JPY', 'GBP', 'CHF');
    await fc.assert(
      fc.asyncProperty(fc.option(currency, { nil: undefined }), fc.array(currency, { minLength: 2, maxLength: 6 }), async (orderCurrency, itemCurrencies) => {
        const items = itemCurrencies.map((code, index) => ({ sku: `S${index}`, qty: 1, price: { currency: code, amountMinor: '10' } }));
        const answer = await post('/v1/orders', { customerId: 'mixed', ...(orderCurrency ? { currency: orderCurrency } : {}), items });
        const expected = orderCurrency ?? itemCurrencies[0];
        const wrong = itemCurrencies.flatMap((code, index) => (code === expected ? [] : [`items[${index}].price.currency`]));
        if (wrong.length === 0) {
          expect(answer.status).toBe(201);
        } else {
          expect(fieldsOf(expectClientProblem(answer, `${orderCurrency} ${itemCurrencies}`)).sort()).toEqual(wrong.sort());
        }
      }),
    );
  });

  it('bodies above the size limit answer 413 problem+json on every route', async () => {
    const route = fc.constantFrom('/v1/orders', '/v1/orders/o-1/pay', '/v1/orders/o-1/cancel', '/v1/orders/o-1/refund', '/v2/unknown');
    await fc.assert(
      fc.asyncProperty(route, fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 3 }), async (url, size) => {
        const raw = JSON.stringify({ reason: 'x'.repeat(size) });
        const problem = expectClientProblem(await post(url, raw), `${size} bytes to ${url}`);
        expect(url.startsWith('/v2') ? [404, 413] : [413]).toContain(problem.status);
      }),
      { numRuns: heavyRuns },
    );
  });

  it('unknown routes and methods answer 404 or 405 problem+json, 405 with Allow', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');
    const segment = fc.oneof(fc.webSegment(), fc.constantFrom('v1', 'orders', '..', '%2e%2e', '%00', '%ZZ', 'pay', '🙂'));
    const url = fc.oneof(
      fc.array(segment, { minLength: 0, maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
      fc.constantFrom('/v1/orders', '/v1/orders/o-1', '/v1/orders/o-1/pay', '/v1/orders/o-1/cancel', '/v1/orders/o-1/refund', '/v1/orders/o-1/ship'),
    );
    await fc.assert(
      fc.asyncProperty(method, url, async (verb, target) => {
        const answer = await send(verb, target, verb === 'POST' || verb === 'PUT' || verb === 'PATCH' ? '{}' : undefined, { 'idempotency-key': newKey() });
        if (answer.status < 400) return; // a real route (GET /v1/orders/o-1 -> 404 is a client error too)
        if (verb === 'HEAD') {
          expect(answer.status).toBeLessThan(500);
          return;
        }
        const problem = expectClientProblem(answer, `${verb} ${target}`);
        if (problem.status === 405) expect(String(answer.headers['allow'])).toMatch(/^(GET|HEAD|POST)(, (GET|HEAD|POST))*$/);
      }),
    );
    const wrongMethod = await send('DELETE', '/v1/orders');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('GET, HEAD, POST');
    const payByGet = await send('GET', '/v1/orders/o-1/pay');
    expect([payByGet.status, payByGet.headers['allow']]).toEqual([405, 'POST']);
    expect(JSON.parse(payByGet.text)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect((await send('GET', '/v2/nothing')).status).toBe(404);
  });

  it('bad idempotency keys (empty, too long, non-ASCII, control characters, given twice) are 400 naming Idempotency-Key', async () => {
    const badKey = fc.oneof(
      fc.constant(''),
      // A header given twice arrives joined with ", "; a comma is never part of one key.
      fc.tuple(fc.stringMatching(/^[\x21-\x7e]{0,20}$/), fc.stringMatching(/^[\x21-\x7e]{0,20}$/)).map(([a, b]) => `${a},${b}`),
      fc.integer({ min: 256, max: 4_000 }).map((length) => 'k'.repeat(length)),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((key) => /[^\x20-\x7e]/.test(key)),
      // eslint-disable-next-line no-control-regex
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }).filter((key) => /[\x00-\x1f\x7f]/.test(key)),
    );
    const route = fc.constantFrom('/v1/orders', '/v1/orders/o-1/pay', '/v1/orders/o-1/cancel', '/v1/orders/o-1/refund');
    await fc.assert(
      fc.asyncProperty(route, badKey, async (url, key) => {
        const answer = await send('POST', url, JSON.stringify(url === '/v1/orders' ? validOrder() : {}), { 'idempotency-key': key });
        const problem = expectClientProblem(answer, `key ${JSON.stringify(key)}`);
        expect(problem.status).toBe(400);
        expect(fieldsOf(problem)).toContain('Idempotency-Key');
      }),
    );
  });

  it('content types other than JSON are 415 (or 400), never a 5xx', async () => {
    const contentType = fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '', 'application/jsonx');
    await fc.assert(
      fc.asyncProperty(contentType, fc.string({ maxLength: 100 }), async (type, payload) => {
        const response = await app.inject({ method: 'POST', url: '/v1/orders', headers: { 'content-type': type, 'idempotency-key': newKey() }, payload });
        expectClientProblem({ status: response.statusCode, headers: response.headers, text: response.body }, `${type}: ${JSON.stringify(payload)}`);
      }),
    );
  });

  it('list queries with any parameters are a 200 or a 400 naming the parameter', async () => {
    const name = fc.constantFrom('customerId', 'customer_id', 'pageSize', 'page_size', 'pageToken', 'filterStatuses', 'filter_statuses', 'colour');
    const value = fc.oneof(weirdString, badNumber.map(String), fc.constantFrom('ORDER_STATUS_PAID', '3', '99', '-1', '501'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 6 }), async (pairs) => {
        const query = pairs.map(([key, text]) => `${key}=${encodeURIComponent(text)}`).join('&');
        const answer = await send('GET', `/v1/orders?${query}`);
        if (answer.status !== 200) expectClientProblem(answer, `?${query}`);
      }),
    );
  });
});
