import { canonicalJson, requestHash } from './request-hash';

describe('requestHash', () => {
  it('does not depend on the order of object keys', () => {
    expect(requestHash('CreateOrder', { a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(
      requestHash('CreateOrder', { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    );
  });
  it('differs for another value, another scope or another array order', () => {
    const base = requestHash('PayOrder:o1', { items: [1, 2] });
    expect(requestHash('PayOrder:o1', { items: [2, 1] })).not.toBe(base);
    expect(requestHash('PayOrder:o2', { items: [1, 2] })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
  it('drops undefined fields like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});
