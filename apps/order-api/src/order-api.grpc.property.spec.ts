import { Metadata, credentials, makeGenericClientConstructor, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { ERROR_CODE_METADATA, orderServiceClientConstructor } from '@oms/orders';
import fc from 'fast-check';
import { startTestOrderApi, type TestOrderApi } from './testing/order-api.test-app';
import { propertySettings } from '@oms/testing';

/**
 * Bad input over gRPC oms.v1.OrderService, generated, through a real client built from the
 * .proto: every answer is a client error code (INVALID_ARGUMENT, NOT_FOUND, ...) whose
 * message names the field, never INTERNAL / UNKNOWN, and the server keeps serving.
 * Fixed seed; OMS_PROPERTY_SEED / OMS_PROPERTY_RUNS explore further (docs/reliability.md).
 */
// Test knobs, not service config: read here because they only steer the generators.
const SEED = propertySettings().seed;
const RUNS = propertySettings().runs;
fc.configureGlobal({ seed: SEED, numRuns: RUNS, endOnFailure: true });
const heavyRuns = Math.max(2, Math.ceil(RUNS / 25));
jest.setTimeout(Math.max(30_000, RUNS * 100)); // longer runs get the time they need

type Json = Record<string, any>;
type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: Json) => void) => void;

/** Codes a client may get for its own mistakes; INTERNAL, UNKNOWN, UNAVAILABLE are the server's. */
const CLIENT_ERRORS = new Set([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.FAILED_PRECONDITION,
  status.ABORTED,
  status.OUT_OF_RANGE,
  status.UNIMPLEMENTED,
  status.RESOURCE_EXHAUSTED,
]);
const STACK_OR_SQL = /\bat .+\.(ts|js):\d+|\b(SELECT|INSERT|UPDATE|DELETE)\b.+\b(FROM|INTO|SET|WHERE)\b/;

describe('order-api over gRPC: bad input never yields INTERNAL (property-based)', () => {
  let api: TestOrderApi;
  let client: Client & Record<string, Unary>;
  let keyCounter = 0;
  const newKey = () => `grpc-prop-${++keyCounter}`;

  beforeAll(async () => {
    api = await startTestOrderApi();
    const OrderService = orderServiceClientConstructor();
    client = new OrderService(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
    console.log(`gRPC properties: seed ${SEED}, ${RUNS} runs (OMS_PROPERTY_SEED, OMS_PROPERTY_RUNS)`);
  });
  afterAll(async () => {
    client.close();
    await api.close();
  });

  type Outcome = { ok: true; response: Json } | { ok: false; error: ServiceError };

  function call(method: string, request: unknown, keys: readonly string[] | null = [newKey()]): Promise<Outcome> {
    const metadata = new Metadata();
    for (const key of keys ?? []) metadata.add('idempotency-key', key);
    return new Promise((resolve) =>
      client[method](request, metadata, (error, response) => resolve(error ? { ok: false, error } : { ok: true, response })),
    );
  }

  /** A client error code whose message says what was wrong (and names `field` when given). */
  function expectClientError(outcome: Outcome, label: string, field?: string): ServiceError {
    if (outcome.ok) throw new Error(`${label}: expected an error, got ${JSON.stringify(outcome.response).slice(0, 300)}`);
    const { error } = outcome;
    if (!CLIENT_ERRORS.has(error.code)) throw new Error(`${label}: expected a client error code, got ${status[error.code]}: ${error.details}`);
    expect(error.details).toMatch(/\S/);
    expect(error.details).not.toMatch(STACK_OR_SQL);
    expect(error.metadata.get(ERROR_CODE_METADATA)[0]).toEqual(expect.stringMatching(/^[A-Z_]+$/));
    if (field !== undefined) expect(error.details).toContain(field);
    return error;
  }

  function expectOkOrClientError(outcome: Outcome, label: string, field?: string): ServiceError | undefined {
    return outcome.ok ? undefined : expectClientError(outcome, label, field);
  }

  const validOrder = (customerId = 'grpc-prop'): Json => ({
    customerId,
    currency: 'USD',
    items: [
      { sku: 'SKU-1', qty: 2, price: { currency: 'USD', amountMinor: '250' } },
      { sku: 'SKU-2', qty: 1, price: { currency: 'USD', amountMinor: '100' } },
    ],
  });

  afterEach(async () => {
    const created = await call('CreateOrder', validOrder('after-batch'));
    expect(created.ok).toBe(true);
  });

  const weirdString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom('', ' ', '\u0000', '\u0007bell', 'line\nbreak', '\u202etxet', '\ud83d\ude00', '\u200b'),
  );
  const int64Text = fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
    fc.constantFrom('0', '-1', '9007199254740992', '9007199254740993', '9223372036854775807', '-9223372036854775808'),
  );
  const int32 = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, -1, 10_001, 2 ** 31 - 1, -(2 ** 31)));
  const currency = fc.oneof(fc.constantFrom('USD', 'EUR', 'JPY', 'usd', 'XXX', 'EURO', ''), weirdString);

  const item = fc.record({
    sku: fc.oneof(fc.constantFrom('SKU-1', 'A'), weirdString),
    qty: int32,
    price: fc.option(fc.record({ currency, amountMinor: int64Text }), { nil: undefined }),
  });

  it('any CreateOrder the .proto allows is OK or a client error naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom('c-1'), weirdString), fc.array(item, { maxLength: 5 }), currency, async (customerId, items, orderCurrency) => {
        const outcome = await call('CreateOrder', { customerId, items, currency: orderCurrency });
        const error = expectOkOrClientError(outcome, JSON.stringify({ customerId, items, orderCurrency }));
        if (error?.code === status.INVALID_ARGUMENT && error.metadata.get(ERROR_CODE_METADATA)[0] === 'VALIDATION_FAILED') {
          const violations = JSON.parse(String(error.metadata.get('oms-field-violations')[0] ?? '[]')) as Json[];
          expect(violations.length).toBeGreaterThan(0);
          for (const violation of violations) expect(error.details).toContain(violation.field);
        }
      }),
    );
  });

  it('missing fields (proto3 defaults) are INVALID_ARGUMENT naming them', async () => {
    const field = fc.constantFrom('customerId', 'items', 'sku', 'qty', 'price', 'amountMinor');
    await fc.assert(
      fc.asyncProperty(field, async (missing) => {
        const order = validOrder();
        if (missing === 'customerId' || missing === 'items') delete order[missing];
        else if (missing === 'amountMinor') delete order.items[0].price.amountMinor;
        else delete order.items[0][missing];
        const named = missing === 'customerId' || missing === 'items' ? missing : missing === 'amountMinor' ? 'items[0].price.amountMinor' : `items[0].${missing}`;
        const outcome = await call('CreateOrder', order);
        // proto3 cannot tell an absent amount from 0, and a free item is valid.
        if (missing === 'amountMinor') return void expectOkOrClientError(outcome, missing);
        expect(expectClientError(outcome, `without ${missing}`, named).code).toBe(status.INVALID_ARGUMENT);
      }),
      { numRuns: 12 },
    );
  });

  it('huge strings are INVALID_ARGUMENT naming the field', async () => {
    const field = fc.constantFrom('customerId', 'currency', 'sku', 'reason');
    await fc.assert(
      fc.asyncProperty(field, fc.integer({ min: 513, max: 1_000_000 }), async (name, length) => {
        const text = 'x'.repeat(length);
        if (name === 'reason') {
          const outcome = await call('CancelOrder', { orderId: 'o-1', reason: text });
          return void expect(expectClientError(outcome, `reason ${length}`, 'reason').code).toBe(status.INVALID_ARGUMENT);
        }
        const order = validOrder();
        if (name === 'sku') order.items[0].sku = text;
        else order[name] = text;
        const outcome = await call('CreateOrder', order);
        expectClientError(outcome, `${name} of ${length}`, name === 'sku' ? 'items[0].sku' : name);
      }),
      { numRuns: Math.max(8, Math.ceil(RUNS / 5)) },
    );
  });

  it('10,000 items are INVALID_ARGUMENT naming items', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 101, max: 10_000 }), async (count) => {
        const items = Array.from({ length: count }, (_, index) => ({ sku: `S${index}`, qty: 1, price: { currency: 'USD', amountMinor: '1' } }));
        const error = expectClientError(await call('CreateOrder', { ...validOrder(), items }), `${count} items`, 'items');
        expect(error.code).toBe(status.INVALID_ARGUMENT);
      }),
      { numRuns: heavyRuns, examples: [[10_000]] },
    );
  });

  it('negative, zero and overflowing quantities and amounts are INVALID_ARGUMENT naming the field', async () => {
    const badQty = fc.oneof(fc.integer({ min: -(2 ** 31), max: 0 }), fc.integer({ min: 10_001, max: 2 ** 31 - 1 }));
    const badAmount = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: -1n }), fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n })).map(String);
    await fc.assert(
      fc.asyncProperty(fc.option(badQty, { nil: undefined }), fc.option(badAmount, { nil: undefined }), async (qty, amount) => {
        const order = validOrder();
        if (qty !== undefined) order.items[0].qty = qty;
        if (amount !== undefined) order.items[1].price.amountMinor = amount;
        const outcome = await call('CreateOrder', order);
        if (qty === undefined && amount === undefined) return void expect(outcome.ok).toBe(true);
        const error = expectClientError(outcome, `qty ${qty} amount ${amount}`);
        expect(error.code).toBe(status.INVALID_ARGUMENT);
        if (qty !== undefined) expect(error.details).toContain('items[0].qty');
        if (amount !== undefined) expect(error.details).toContain('items[1].price.amountMinor');
      }),
    );
  });

  it('a total beyond 2^53 - 1 from valid lines is INVALID_ARGUMENT', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 10_000 }), fc.integer({ min: Math.ceil(Number.MAX_SAFE_INTEGER / 2), max: Number.MAX_SAFE_INTEGER }), async (qty, unit) => {
        const order = validOrder();
        order.items[0] = { sku: 'BIG', qty, price: { currency: 'USD', amountMinor: String(unit) } };
        expect(expectClientError(await call('CreateOrder', order), `${qty} x ${unit}`).code).toBe(status.INVALID_ARGUMENT);
      }),
      { numRuns: Math.max(10, Math.ceil(RUNS / 5)) },
    );
  });

  it('mixed currencies are INVALID_ARGUMENT naming each item in another currency', async () => {
    const code = fc.constantFrom('USD', 'EUR', 'JPY');
    await fc.assert(
      fc.asyncProperty(code, fc.array(code, { minLength: 2, maxLength: 5 }), async (orderCurrency, itemCurrencies) => {
        const items = itemCurrencies.map((each, index) => ({ sku: `S${index}`, qty: 1, price: { currency: each, amountMinor: '5' } }));
        const outcome = await call('CreateOrder', { customerId: 'mixed', currency: orderCurrency, items });
        const wrong = itemCurrencies.flatMap((each, index) => (each === orderCurrency ? [] : [`items[${index}].price.currency`]));
        if (wrong.length === 0) return void expect(outcome.ok).toBe(true);
        const error = expectClientError(outcome, `${orderCurrency} ${itemCurrencies}`);
        for (const field of wrong) expect(error.details).toContain(field);
      }),
    );
  });

  it('bad idempotency keys (missing, empty, too long, given twice) are INVALID_ARGUMENT naming idempotency-key', async () => {
    // No space at either end: HTTP/2 drops such a field value, so the server would see one key only.
    const key = fc.stringMatching(/^[\x21-\x2b\x2d-\x7e]{1,40}$/);
    const badKeys = fc.oneof(
      fc.constant<string[]>([]),
      fc.constant(['']),
      fc.integer({ min: 256, max: 4_000 }).map((length) => ['k'.repeat(length)]),
      // Given twice: HTTP/2 joins the values into one ("a, b"), as a client joining them itself would.
      fc.tuple(key, key).map(([a, b]) => [a, b]),
      fc.tuple(key, key).map(([a, b]) => [`${a}, ${b}`]),
    );
    const method = fc.constantFrom('CreateOrder', 'PayOrder', 'CancelOrder', 'RefundOrder');
    await fc.assert(
      fc.asyncProperty(method, badKeys, async (name, keys) => {
        const request = name === 'CreateOrder' ? validOrder() : { orderId: 'o-1' };
        const error = expectClientError(await call(name, request, keys), `${name} keys ${JSON.stringify(keys).slice(0, 80)}`, 'idempotency-key');
        expect(error.code).toBe(status.INVALID_ARGUMENT);
      }),
    );
  });

  it('non-ASCII and control characters cannot even be sent as an idempotency key by grpc-js', () => {
    // The transport refuses them client-side (HTTP/2 header rules); the REST suite covers the server side.
    expect(() => new Metadata().set('idempotency-key', 'clé')).toThrow();
    expect(() => new Metadata().set('idempotency-key', 'a\u0001b')).toThrow();
  });

  it('order ids, reasons and list parameters of any shape are OK or a client error naming the field', async () => {
    const method = fc.constantFrom('GetOrder', 'PayOrder', 'CancelOrder', 'RefundOrder', 'ListOrders');
    await fc.assert(
      fc.asyncProperty(method, weirdString, weirdString, int32, fc.option(fc.record({ currency, amountMinor: int64Text }), { nil: undefined }), async (name, text, other, number, amount) => {
        const request =
          name === 'ListOrders'
            ? { customerId: text, pageSize: number, pageToken: other, filterStatuses: ['ORDER_STATUS_PAID'] }
            : { orderId: text, reason: other, ...(amount ? { amount } : {}) };
        expectOkOrClientError(await call(name, request), `${name} ${JSON.stringify(request)}`);
      }),
    );
  });

  it('unknown methods and services answer UNIMPLEMENTED', async () => {
    const Generic = makeGenericClientConstructor(
      {
        Nope: { path: '/oms.v1.OrderService/Nope', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b },
        Other: { path: '/oms.v2.Nothing/Get', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b },
      },
      'Generic',
    );
    const generic = new Generic(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
    try {
      for (const method of ['Nope', 'Other']) {
        const error = await new Promise<ServiceError | null>((resolve) => generic[method](Buffer.alloc(0), new Metadata(), (err) => resolve(err)));
        expect(error?.code).toBe(status.UNIMPLEMENTED);
      }
    } finally {
      generic.close();
    }
  });
});

describe('order-api over gRPC: undecodable request bytes', () => {
  let api: TestOrderApi;

  beforeAll(async () => {
    api = await startTestOrderApi();
  });
  afterAll(async () => {
    await api.close();
  });

  // grpc-js would answer bytes it cannot decode with INTERNAL before any OMS code runs;
  // GrpcServerHost decodes through tolerantPackageDefinition() so they are a client error.
  it('answers protobuf that does not decode with INVALID_ARGUMENT, never INTERNAL', async () => {
    const bytes = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
    const Raw = makeGenericClientConstructor({ CreateOrder: { path: '/oms.v1.OrderService/CreateOrder', requestStream: false, responseStream: false, ...bytes } }, 'Raw');
    const raw = new Raw(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Client & Record<string, (request: Buffer, metadata: Metadata, callback: (error: ServiceError | null) => void) => void>;
    try {
      for (const hex of ['12050a', '0a', 'ff']) {
        const metadata = new Metadata();
        metadata.set('idempotency-key', `raw-${hex}`);
        const error = await new Promise<ServiceError | null>((resolve) => raw['CreateOrder'](Buffer.from(hex, 'hex'), metadata, resolve));
        expect(error?.code).toBe(status.INVALID_ARGUMENT);
      }
    } finally {
      raw.close();
    }
  });
});
