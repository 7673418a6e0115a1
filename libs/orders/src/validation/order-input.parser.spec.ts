import { isDomainError, type FieldViolation } from '@oms/domain';
import { Violations } from './field-reader';
import { parseCreateOrder, parseIdempotencyKey, parseListOrders, parseRefund } from './order-input.parser';

function violationsOf(run: (violations: Violations) => unknown): FieldViolation[] {
  const violations = new Violations();
  run(violations);
  try {
    violations.throwIfAny();
  } catch (error) {
    if (isDomainError(error)) return [...error.violations];
    throw error;
  }
  return [];
}
const fieldsOf = (run: (violations: Violations) => unknown) => violationsOf(run).map((violation) => violation.field);

const item = (overrides: Record<string, unknown> = {}) => ({ sku: 'A', qty: 1, price: { currency: 'EUR', amountMinor: '100' }, ...overrides });

describe('parseCreateOrder', () => {
  it('turns a valid REST body into the PlaceOrder data, amounts as safe integers', () => {
    const violations = new Violations();
    const input = parseCreateOrder({ customerId: 'c', currency: 'EUR', items: [item({ price: { currency: 'EUR', amountMinor: 9007199254740991 } })] }, violations);
    expect(violations.any).toBe(false);
    expect(input).toEqual({ customerId: 'c', currency: 'EUR', items: [{ sku: 'A', qty: 1, unitPriceMinor: 9007199254740991 }] });
  });

  it('takes the order currency from the items when it is left out', () => {
    expect(parseCreateOrder({ customerId: 'c', items: [item()] }, new Violations())?.currency).toBe('EUR');
    expect(fieldsOf((v) => parseCreateOrder({ customerId: 'c', items: [{ sku: 'A', qty: 1, price: { amountMinor: '1' } }] }, v))).toEqual([
      'items[0].price.currency',
      'currency',
    ]);
  });

  it.each([
    ['missing body', undefined, ['customerId', 'items', 'currency']],
    ['array body', [], ['body']],
    ['customerId too long', { customerId: 'c'.repeat(65), items: [item()] }, ['customerId']],
    ['customerId with a control character', { customerId: 'a\u0000b', items: [item()] }, ['customerId']],
    ['no items', { customerId: 'c', currency: 'EUR', items: [] }, ['items']],
    ['items not a list', { customerId: 'c', currency: 'EUR', items: {} }, ['items']],
    ['qty above 10000', { customerId: 'c', items: [item({ qty: 10_001 })] }, ['items[0].qty']],
    ['fractional qty', { customerId: 'c', items: [item({ qty: 1.5 })] }, ['items[0].qty']],
    ['empty sku', { customerId: 'c', items: [item({ sku: '' })] }, ['items[0].sku']],
    ['sku too long', { customerId: 'c', items: [item({ sku: 's'.repeat(65) })] }, ['items[0].sku']],
    ['negative price', { customerId: 'c', items: [item({ price: { currency: 'EUR', amountMinor: '-1' } })] }, ['items[0].price.amountMinor']],
    ['decimal price text', { customerId: 'c', items: [item({ price: { currency: 'EUR', amountMinor: '1.50' } })] }, ['items[0].price.amountMinor']],
    ['price beyond 2^53-1', { customerId: 'c', items: [item({ price: { currency: 'EUR', amountMinor: '9007199254740992' } })] }, ['items[0].price.amountMinor']],
    ['missing price', { customerId: 'c', currency: 'EUR', items: [{ sku: 'A', qty: 1 }] }, ['items[0].price']],
    ['unknown currency', { customerId: 'c', currency: 'ZZZ', items: [item({ price: { currency: 'ZZZ', amountMinor: '1' } })] }, ['currency', 'items[0].price.currency']],
    ['lower-case currency', { customerId: 'c', currency: 'eur', items: [item()] }, ['currency']],
    ['item in another currency', { customerId: 'c', currency: 'EUR', items: [item(), item({ price: { currency: 'USD', amountMinor: '1' } })] }, ['items[1].price.currency']],
    ['unknown top-level field', { customerId: 'c', items: [item()], coupon: 'X' }, ['coupon']],
    ['unknown nested field', { customerId: 'c', items: [item({ colour: 'red' })] }, ['items[0].colour']],
    ['both spellings of a field', { customerId: 'c', customer_id: 'c', items: [item()] }, ['customerId']],
    ['item not an object', { customerId: 'c', currency: 'EUR', items: ['A'] }, ['items[0]']],
  ])('names the invalid fields: %s', (_name, body, fields) => {
    expect(fieldsOf((v) => parseCreateOrder(body, v))).toEqual(fields);
  });

  it('reports only the list length when there are more than 100 items', () => {
    const items = Array.from({ length: 101 }, () => item({ qty: 0 }));
    expect(fieldsOf((v) => parseCreateOrder({ customerId: 'c', currency: 'EUR', items }, v))).toEqual(['items']);
  });
});

describe('parseRefund', () => {
  it('treats an absent or null amount as a full refund', () => {
    expect(parseRefund({ reason: 'r' }, new Violations())).toEqual({ reason: 'r' });
    expect(parseRefund({ amount: null }, new Violations())).toEqual({ reason: '' });
  });
  it('requires a positive amount in a known currency', () => {
    expect(fieldsOf((v) => parseRefund({ amount: { currency: 'XXX', amountMinor: 0 } }, v))).toEqual(['amount.currency', 'amount.amountMinor']);
    expect(parseRefund({ amount: { currency: 'EUR', amount_minor: '25' } }, new Violations())).toEqual({ reason: '', amountMinor: 25, currency: 'EUR' });
  });
});

describe('parseListOrders', () => {
  it('defaults the page size to 100 and accepts comma-separated and repeated statuses', () => {
    expect(parseListOrders({ customerId: 'c', filterStatuses: ['ORDER_STATUS_PAID,ORDER_STATUS_CONFIRMED', '6'] }, new Violations())).toEqual({
      customerId: 'c',
      pageSize: 100,
      pageToken: undefined,
      statuses: ['PAID', 'CONFIRMED', 'REFUNDED'],
    });
  });
  it.each([
    [{ customerId: 'c', pageSize: '501' }, ['pageSize']],
    [{ customerId: 'c', pageSize: -1 }, ['pageSize']],
    [{ customerId: 'c', pageSize: 'ten' }, ['pageSize']],
    [{ customerId: 'c', filterStatuses: 'ORDER_STATUS_UNSPECIFIED' }, ['filterStatuses[0]']],
    [{ filterStatuses: ['PAID'], page: 2 }, ['page', 'customerId', 'filterStatuses[0]']],
  ])('names the invalid parameters of %j', (query, fields) => {
    expect(fieldsOf((v) => parseListOrders(query, v))).toEqual(fields);
  });
  it('accepts the maximum page size of 500', () => {
    expect(parseListOrders({ customerId: 'c', page_size: 500 }, new Violations())?.pageSize).toBe(500);
  });
});

describe('parseIdempotencyKey', () => {
  it.each([
    [undefined, /required/],
    ['', /required/],
    ['k'.repeat(256), /255/],
    ['caf\u00e9', /printable ASCII/],
    ['tab\there', /printable ASCII/],
    [['a', 'b'], /once/],
    // A header or metadata entry given twice arrives joined: one request, two keys.
    ['a, b', /given once.*comma/],
    ['a,b', /given once.*comma/],
    [[' k-1 ,k-2'], /given once.*comma/],
  ])('rejects bad key %#', (key, message) => {
    expect(violationsOf((v) => parseIdempotencyKey(key, 'Idempotency-Key', v))).toEqual([{ field: 'Idempotency-Key', message: expect.stringMatching(message) }]);
  });
  it('accepts 1..255 printable ASCII characters', () => {
    expect(parseIdempotencyKey('k'.repeat(255), 'Idempotency-Key', new Violations())).toBe('k'.repeat(255));
    expect(parseIdempotencyKey(['a key'], 'Idempotency-Key', new Violations())).toBe('a key');
  });
});
