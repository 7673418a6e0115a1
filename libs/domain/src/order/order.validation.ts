import { isIso4217Currency } from '../shared/currency';
import type { FieldViolation } from '../shared/domain-error';
import type { PlaceOrder } from './order.commands';

export const MAX_ID_LENGTH = 64;
export const MAX_SKU_LENGTH = 64;
export const MIN_ITEMS = 1;
export const MAX_ITEMS = 100;
export const MIN_QTY = 1;
export const MAX_QTY = 10_000;

// C0, DEL and C1 control characters: invisible in logs and UIs, never part of an id.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Problems of one identifier-like string field, or null when it is fine. */
function idProblem(value: unknown, maxLength: number): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (CONTROL_CHARACTERS.test(value)) return 'must not contain control characters';
  return null;
}

/**
 * Every input problem of a PlaceOrder, all at once, with public (lowerCamelCase) field
 * paths: `orderId`, `customerId`, `currency`, `items`, `items[2].sku`, `items[2].qty`,
 * `items[2].price.amountMinor` (the unit price, as clients send it). Item checks stop after
 * MAX_ITEMS entries so an absurdly long list cannot produce an absurdly long answer.
 */
export function validatePlaceOrder(data: PlaceOrder['data']): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (field: string, message: string | null) => {
    if (message !== null) violations.push({ field, message });
  };
  add('orderId', idProblem(data.orderId, MAX_ID_LENGTH));
  add('customerId', idProblem(data.customerId, MAX_ID_LENGTH));
  add(
    'currency',
    typeof data.currency === 'string' && isIso4217Currency(data.currency)
      ? null
      : 'must be an active ISO 4217 currency code such as EUR or USD',
  );
  const items: readonly unknown[] = Array.isArray(data.items) ? data.items : [];
  if (!Array.isArray(data.items)) add('items', 'must be a list of items');
  else if (items.length < MIN_ITEMS || items.length > MAX_ITEMS) {
    add('items', `must hold between ${MIN_ITEMS} and ${MAX_ITEMS} items, got ${items.length}`);
  }
  items.slice(0, MAX_ITEMS).forEach((raw, index) => {
    const path = `items[${index}]`;
    if (typeof raw !== 'object' || raw === null) {
      add(path, 'must be an item with sku, qty and price');
      return;
    }
    const item = raw as Record<string, unknown>;
    add(`${path}.sku`, idProblem(item['sku'], MAX_SKU_LENGTH));
    const qty = item['qty'];
    add(
      `${path}.qty`,
      typeof qty === 'number' && Number.isInteger(qty) && qty >= MIN_QTY && qty <= MAX_QTY
        ? null
        : `must be a whole number from ${MIN_QTY} to ${MAX_QTY}`,
    );
    const price = item['unitPriceMinor'];
    add(
      `${path}.price.amountMinor`,
      typeof price === 'number' && Number.isSafeInteger(price) && price >= 0
        ? null
        : `must be a whole number of minor units from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
  });
  return violations;
}
