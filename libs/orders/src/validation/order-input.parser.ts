import { API_LIMITS, fromStatusName, statusNameOfNumber } from '@oms/contracts';
import { isIso4217Currency, type OrderLine, type OrderStatus } from '@oms/domain';
import { Violations, fieldPath, isAbsent, readFields, readInt32, readInt64, readString } from './field-reader';

/**
 * Edge validation of the public API, shared by REST and gRPC (the gRPC loader yields the
 * same lowerCamelCase shape, with int64 as strings and absent fields as defaults). Every
 * function records ALL problems before failing, so a client fixes its request in one go.
 */
export interface CreateOrderInput {
  readonly customerId: string;
  readonly currency: string;
  readonly items: readonly OrderLine[];
}

export interface RefundInput {
  readonly amountMinor?: number;
  readonly currency?: string;
  readonly reason: string;
}

export interface ListOrdersInput {
  readonly customerId: string;
  readonly pageSize: number;
  readonly pageToken?: string;
  readonly statuses: readonly OrderStatus[];
}

const ID = { required: true, maxLength: API_LIMITS.idMaxLength, identifier: true } as const;
const REASON = { required: false, maxLength: API_LIMITS.reasonMaxLength } as const;
const MAX_PAGE_TOKEN_LENGTH = 1024;

function readCurrency(value: unknown, field: string, required: boolean, violations: Violations): string | undefined {
  const code = readString(value, field, { required, maxLength: 3 }, violations);
  if (code === undefined) return undefined;
  if (!isIso4217Currency(code)) {
    violations.add(field, 'must be an active ISO 4217 currency code such as EUR or USD');
    return undefined;
  }
  return code;
}

interface MoneyInput {
  readonly currency?: string;
  readonly amountMinor?: number;
}

function readMoney(raw: unknown, path: string, minAmount: number, violations: Violations): MoneyInput | undefined {
  if (isAbsent(raw)) {
    violations.add(path, 'is required');
    return undefined;
  }
  const fields = readFields(raw, path, ['currency', 'amountMinor'], violations);
  if (!fields) return undefined;
  const currency = readCurrency(fields['currency'], fieldPath(path, 'currency'), true, violations);
  const amountField = fieldPath(path, 'amountMinor');
  const amountMinor = isAbsent(fields['amountMinor'])
    ? (violations.add(amountField, 'is required'), undefined)
    : readInt64(fields['amountMinor'], amountField, minAmount, violations);
  return { currency, amountMinor };
}

export function parseOrderId(raw: unknown, field: string, violations: Violations): string | undefined {
  return readString(raw, field, ID, violations);
}

export function parseCreateOrder(raw: unknown, violations: Violations): CreateOrderInput | undefined {
  const fields = readFields(raw, '', ['customerId', 'items', 'currency'], violations);
  if (!fields) return undefined;
  const customerId = readString(fields['customerId'], 'customerId', ID, violations);
  const declaredCurrency = readCurrency(fields['currency'], 'currency', false, violations);

  const rawItems = fields['items'];
  const items: ItemInput[] = [];
  if (isAbsent(rawItems) || (Array.isArray(rawItems) && rawItems.length === 0)) {
    violations.add('items', `is required: ${API_LIMITS.minItems} to ${API_LIMITS.maxItems} items`);
  } else if (!Array.isArray(rawItems)) {
    violations.add('items', 'must be a list of items');
  } else if (rawItems.length > API_LIMITS.maxItems) {
    violations.add('items', `must hold at most ${API_LIMITS.maxItems} items, got ${rawItems.length}`);
  } else {
    rawItems.forEach((rawItem, index) => items.push(readItem(rawItem, `items[${index}]`, violations)));
  }

  // The order currency may be left out when the item prices name it.
  const currency = declaredCurrency ?? items.find((item) => item.currency)?.currency;
  const currencyGiven = !isAbsent(fields['currency']) && fields['currency'] !== '';
  if (!currencyGiven && !items.some((item) => item.currencyGiven)) violations.add('currency', 'is required');
  items.forEach((item, index) => {
    if (currency !== undefined && item.currency !== undefined && item.currency !== currency) {
      violations.add(`items[${index}].price.currency`, `must be the order currency ${currency}`);
    }
  });

  if (violations.any || customerId === undefined || currency === undefined) return undefined;
  return { customerId, currency, items: items.map((item) => item.line as OrderLine) };
}

interface ItemInput {
  readonly line?: OrderLine;
  readonly currency?: string;
  readonly currencyGiven: boolean;
}

function readItem(raw: unknown, path: string, violations: Violations): ItemInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    violations.add(path, 'must be an item with sku, qty and price');
    return { currencyGiven: false };
  }
  const fields = readFields(raw, path, ['sku', 'qty', 'price'], violations) ?? {};
  const sku = readString(fields['sku'], fieldPath(path, 'sku'), { required: true, maxLength: API_LIMITS.skuMaxLength, identifier: true }, violations);
  const qty = readInt32(fields['qty'], fieldPath(path, 'qty'), API_LIMITS.minQty, API_LIMITS.maxQty, violations);
  const price = readMoney(fields['price'], fieldPath(path, 'price'), 0, violations);
  const line =
    sku !== undefined && qty !== undefined && price?.amountMinor !== undefined
      ? { sku, qty, unitPriceMinor: price.amountMinor }
      : undefined;
  const rawPrice = fields['price'];
  const priceCurrency = typeof rawPrice === 'object' && rawPrice !== null ? (rawPrice as Record<string, unknown>)['currency'] : undefined;
  const currencyGiven = !isAbsent(priceCurrency) && priceCurrency !== '';
  return { line, currency: price?.currency, currencyGiven };
}

export function parseCancel(raw: unknown, violations: Violations): { reason?: string } {
  const fields = readFields(raw, '', ['reason'], violations) ?? {};
  return { reason: readString(fields['reason'], 'reason', REASON, violations) };
}

/** `amount` absent (or null) = refund everything not yet refunded. */
export function parseRefund(raw: unknown, violations: Violations): RefundInput | undefined {
  const fields = readFields(raw, '', ['amount', 'reason'], violations);
  if (!fields) return undefined;
  const reason = readString(fields['reason'], 'reason', REASON, violations) ?? '';
  if (isAbsent(fields['amount'])) return { reason };
  const amount = readMoney(fields['amount'], 'amount', 1, violations);
  return { reason, amountMinor: amount?.amountMinor, currency: amount?.currency };
}

/** REST gives repeated query parameters as arrays and allows comma-separated lists. */
function readStatuses(raw: unknown, violations: Violations): OrderStatus[] {
  if (isAbsent(raw) || raw === '') return [];
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((value) =>
    typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter((part) => part !== '') : [value],
  );
  const statuses: OrderStatus[] = [];
  values.forEach((value, index) => {
    const name = typeof value === 'number' ? statusNameOfNumber(value) : /^\d+$/.test(String(value)) ? statusNameOfNumber(Number(value)) : String(value);
    const status = name === undefined ? undefined : fromStatusName(name);
    if (status === undefined) {
      violations.add(`filterStatuses[${index}]`, 'must be an order status name such as ORDER_STATUS_CONFIRMED');
    } else if (!statuses.includes(status)) {
      statuses.push(status);
    }
  });
  return statuses;
}

export function parseListOrders(raw: unknown, violations: Violations): ListOrdersInput | undefined {
  const fields = readFields(raw, '', ['customerId', 'pageSize', 'pageToken', 'filterStatuses'], violations);
  if (!fields) return undefined;
  const customerId = readString(fields['customerId'], 'customerId', ID, violations);
  const rawSize = fields['pageSize'];
  const pageSize =
    isAbsent(rawSize) || rawSize === '' || rawSize === 0 || rawSize === '0'
      ? API_LIMITS.defaultPageSize
      : readInt32(rawSize, 'pageSize', 1, API_LIMITS.maxPageSize, violations);
  const pageToken = readString(fields['pageToken'], 'pageToken', { required: false, maxLength: MAX_PAGE_TOKEN_LENGTH }, violations);
  const statuses = readStatuses(fields['filterStatuses'], violations);
  if (violations.any || customerId === undefined || pageSize === undefined) return undefined;
  return { customerId, pageSize, pageToken, statuses };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * The idempotency key of a mutation: required, once, 1..255 printable ASCII characters but the
 * comma. HTTP joins a repeated header (HTTP/2: gRPC metadata) into one value with ", ", so a
 * comma means the key was given twice, and one request must not carry two keys.
 */
export function parseIdempotencyKey(raw: unknown, field: string, violations: Violations): string | undefined {
  if (Array.isArray(raw)) {
    if (raw.length > 1) {
      violations.add(field, 'must be given once');
      return undefined;
    }
    return parseIdempotencyKey(raw[0], field, violations);
  }
  if (isAbsent(raw) || raw === '') {
    violations.add(field, 'is required on every mutation');
    return undefined;
  }
  if (typeof raw !== 'string' || raw.length > API_LIMITS.idempotencyKeyMaxLength || !PRINTABLE_ASCII.test(raw)) {
    violations.add(field, `must be 1 to ${API_LIMITS.idempotencyKeyMaxLength} printable ASCII characters`);
    return undefined;
  }
  if (raw.includes(',')) {
    violations.add(field, 'must be given once (a comma joins repeated values) and so cannot contain a comma');
    return undefined;
  }
  return raw;
}
