import { describeViolations, parsePay, parseRefund, parseRelease, parseReserve } from './partner-requests';

describe('partner request parsing', () => {
  it('maps a reserve request to the port shape', () => {
    expect(parseReserve({ idempotency_key: 's:reserve', order_id: 'o1', items: [{ sku: 'SKU-1', qty: 2 }] })).toEqual({
      ok: true,
      value: { idempotencyKey: 's:reserve', orderId: 'o1', items: [{ sku: 'SKU-1', qty: 2, unitPriceMinor: 0 }] },
    });
  });

  it('names every invalid field of a reserve request', () => {
    const parsed = parseReserve({ idempotency_key: '', order_id: 'o1', items: [{ sku: 'A', qty: 0 }, { sku: ' ', qty: 1 }] });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(describeViolations(parsed.violations)).toBe('idempotency_key: is required; items[0].qty: must be at least 1; items[1].sku: is required');
  });

  it('requires items', () => {
    expect(parseReserve({ idempotency_key: 'k', order_id: 'o', items: [] })).toEqual({
      ok: false,
      violations: [{ field: 'items', reason: 'must list at least one item' }],
    });
  });

  it('reads int64 amounts from decimal strings and rejects what is not a safe non-negative integer', () => {
    expect(parsePay({ idempotency_key: 'k', order_id: 'o', amount_minor: '9007199254740991', currency: 'EUR' })).toMatchObject({
      ok: true,
      value: { amountMinor: 9007199254740991 },
    });
    for (const amount of ['-1', '1.5', '9007199254740992', 'abc', undefined]) {
      const parsed = parsePay({ idempotency_key: 'k', order_id: 'o', amount_minor: amount, currency: 'EUR' });
      expect(parsed).toMatchObject({ ok: false, violations: [{ field: 'amount_minor' }] });
    }
  });

  it('requires the ids a release or refund names', () => {
    expect(parseRelease({ idempotency_key: 'k', order_id: 'o' })).toEqual({
      ok: false,
      violations: [{ field: 'reservation_id', reason: 'is required' }],
    });
    expect(parseRefund({ idempotency_key: 'k', order_id: 'o', payment_id: 'p', amount_minor: '5' })).toEqual({
      ok: false,
      violations: [{ field: 'currency', reason: 'is required' }],
    });
  });
});
