import { given, aPlaceOrder, anOrderLine } from '../testing';
import type { OrderLine } from './order.events';
import { MAX_ITEMS, validatePlaceOrder } from './order.validation';

const lines = (count: number): OrderLine[] => Array.from({ length: count }, (_, i) => anOrderLine({ sku: `SKU-${i}` }));

describe('PlaceOrder validation', () => {
  it('accepts a valid order', () => {
    expect(validatePlaceOrder(aPlaceOrder().data)).toEqual([]);
  });

  it('reports every problem at once, with public field paths', () => {
    given()
      .when(
        aPlaceOrder({
          orderId: '',
          customerId: 'x'.repeat(65),
          currency: 'XYZ',
          items: [anOrderLine(), anOrderLine({ sku: '', qty: 0, unitPriceMinor: -1 }), anOrderLine({ qty: 10_001 })],
        }),
      )
      .thenViolations(['orderId', 'customerId', 'currency', 'items[1].sku', 'items[1].qty', 'items[1].price.amountMinor', 'items[2].qty']);
  });

  it('the error message lists the fields too', () => {
    const scenario = given().when(aPlaceOrder({ customerId: '', currency: 'eur' }));
    expect('error' in scenario.decision && scenario.decision.error.message).toMatch(/customerId.*currency/);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'c'.repeat(65)],
    ['a newline', 'cust\nomer'],
    ['a NUL', 'cust\u0000'],
    ['DEL', 'cust\u007f'],
    ['a C1 control', 'cust\u0085'],
  ])('customerId with %s is rejected', (_name, customerId) => {
    given().when(aPlaceOrder({ customerId })).thenViolations(['customerId']);
  });

  it.each([
    ['64 characters', 'c'.repeat(64)],
    ['unicode letters', 'клиент-1'],
    ['spaces and punctuation', 'customer #1 (VIP)'],
  ])('customerId with %s is accepted', (_name, customerId) => {
    expect(validatePlaceOrder(aPlaceOrder({ customerId }).data)).toEqual([]);
  });

  it('orderId follows the same rules', () => {
    given().when(aPlaceOrder({ orderId: 'o'.repeat(65) })).thenViolations(['orderId']);
    given().when(aPlaceOrder({ orderId: 'o\t1' })).thenViolations(['orderId']);
  });

  it.each(['EUR', 'USD', 'JPY', 'KWD', 'XOF'])('currency %s is accepted', (currency) => {
    expect(validatePlaceOrder(aPlaceOrder({ currency }).data)).toEqual([]);
  });

  it.each(['eur', 'EURO', 'XXX', 'XTS', 'XAU', 'ABC', '', 'HRK'])('currency %p is rejected', (currency) => {
    given().when(aPlaceOrder({ currency })).thenViolations(['currency']);
  });

  it('requires at least one item', () => {
    given().when(aPlaceOrder({ items: [] })).thenViolations(['items']);
  });

  it(`accepts ${MAX_ITEMS} items and rejects ${MAX_ITEMS + 1}`, () => {
    expect(validatePlaceOrder(aPlaceOrder({ items: lines(MAX_ITEMS) }).data)).toEqual([]);
    given().when(aPlaceOrder({ items: lines(MAX_ITEMS + 1) })).thenViolations(['items']);
  });

  it('checks at most the first 100 items of an oversized list', () => {
    const items = [...lines(150)].map((line, i) => (i >= 10 ? { ...line, qty: 0 } : line));
    const violations = validatePlaceOrder(aPlaceOrder({ items }).data);
    expect(violations.filter((v) => v.field.endsWith('.qty'))).toHaveLength(90);
    expect(violations.map((v) => v.field)).toContain('items');
  });

  it.each([
    ['0', 0],
    ['10001', 10_001],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['-1', -1],
  ])('qty %s is rejected', (_name, qty) => {
    given().when(aPlaceOrder({ items: [anOrderLine(), anOrderLine(), anOrderLine({ qty })] })).thenViolations(['items[2].qty']);
  });

  it.each([1, 10_000])('qty %p is accepted', (qty) => {
    expect(validatePlaceOrder(aPlaceOrder({ items: [anOrderLine({ qty })] }).data)).toEqual([]);
  });

  it.each([
    ['negative', -1],
    ['fractional', 0.5],
    ['unsafe', Number.MAX_SAFE_INTEGER + 1],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('a %s unit price is rejected', (_name, unitPriceMinor) => {
    given().when(aPlaceOrder({ items: [anOrderLine({ unitPriceMinor })] })).thenViolations(['items[0].price.amountMinor']);
  });

  it('a sku longer than 64 characters or with control characters is rejected', () => {
    given()
      .when(aPlaceOrder({ items: [anOrderLine({ sku: 's'.repeat(65) }), anOrderLine({ sku: 'a\rb' }), anOrderLine({ sku: 's'.repeat(64) })] }))
      .thenViolations(['items[0].sku', 'items[1].sku']);
  });

  it('survives malformed input from an untyped edge without throwing', () => {
    const malformed = { orderId: 7, customerId: null, currency: undefined, items: [null, 'x', { sku: 5, qty: '1', unitPriceMinor: '100' }] };
    const violations = validatePlaceOrder(malformed as never);
    expect(violations.map((v) => v.field).sort()).toEqual(
      ['currency', 'customerId', 'items[0]', 'items[1]', 'items[2].price.amountMinor', 'items[2].qty', 'items[2].sku', 'orderId'].sort(),
    );
    expect(validatePlaceOrder({ ...aPlaceOrder().data, items: 'nope' } as never).map((v) => v.field)).toEqual(['items']);
  });
});
