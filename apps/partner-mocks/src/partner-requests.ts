import type { ChargePayment, RefundPayment, ReleaseStock, ReserveStock } from '@oms/domain';

/** One invalid field of a request, named as on the wire. */
export interface FieldViolation {
  readonly field: string;
  readonly reason: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly violations: readonly FieldViolation[] };

/** A request as proto-loader hands it over (snake_case, int64 as decimal strings). */
type Wire = Readonly<Record<string, unknown>>;

class Fields {
  readonly violations: FieldViolation[] = [];

  constructor(private readonly wire: Wire) {}

  text(field: string): string {
    const value = this.wire[field];
    if (typeof value !== 'string' || value.trim() === '') {
      this.violations.push({ field, reason: 'is required' });
      return '';
    }
    return value;
  }

  /** A non-negative int64 that fits a JavaScript safe integer (amounts in minor units). */
  amount(field: string): number {
    const value = this.wire[field];
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      this.violations.push({ field, reason: `must be a non-negative integer up to ${Number.MAX_SAFE_INTEGER}` });
      return 0;
    }
    return Number(text);
  }

  items(field: string): { sku: string; qty: number; unitPriceMinor: number }[] {
    const value = this.wire[field];
    if (!Array.isArray(value) || value.length === 0) {
      this.violations.push({ field, reason: 'must list at least one item' });
      return [];
    }
    return value.map((item: Wire, index) => {
      const sku = typeof item?.['sku'] === 'string' ? item['sku'] : '';
      const qty = typeof item?.['qty'] === 'number' ? item['qty'] : 0;
      if (sku.trim() === '') this.violations.push({ field: `${field}[${index}].sku`, reason: 'is required' });
      if (!Number.isInteger(qty) || qty < 1) this.violations.push({ field: `${field}[${index}].qty`, reason: 'must be at least 1' });
      // The wire carries no price: stock does not depend on it.
      return { sku, qty, unitPriceMinor: 0 };
    });
  }

  result<T>(value: T): Parsed<T> {
    return this.violations.length === 0 ? { ok: true, value } : { ok: false, violations: this.violations };
  }
}

export function parseReserve(wire: Wire): Parsed<ReserveStock> {
  const f = new Fields(wire);
  return f.result({ idempotencyKey: f.text('idempotency_key'), orderId: f.text('order_id'), items: f.items('items') });
}

export function parseRelease(wire: Wire): Parsed<ReleaseStock> {
  const f = new Fields(wire);
  return f.result({ idempotencyKey: f.text('idempotency_key'), orderId: f.text('order_id'), reservationId: f.text('reservation_id') });
}

export function parsePay(wire: Wire): Parsed<ChargePayment> {
  const f = new Fields(wire);
  return f.result({
    idempotencyKey: f.text('idempotency_key'),
    orderId: f.text('order_id'),
    amountMinor: f.amount('amount_minor'),
    currency: f.text('currency'),
  });
}

export function parseRefund(wire: Wire): Parsed<RefundPayment> {
  const f = new Fields(wire);
  return f.result({
    idempotencyKey: f.text('idempotency_key'),
    orderId: f.text('order_id'),
    paymentId: f.text('payment_id'),
    amountMinor: f.amount('amount_minor'),
    currency: f.text('currency'),
  });
}

/** `field: reason; field: reason` — the INVALID_ARGUMENT details. */
export const describeViolations = (violations: readonly FieldViolation[]): string =>
  violations.map((v) => `${v.field}: ${v.reason}`).join('; ');
