import type { OrderStatus } from '@oms/domain';

/**
 * Messages of `oms.v1` in their proto3 JSON form (lowerCamelCase, int64 as string,
 * enums by name): what REST returns and what the gRPC loader yields with
 * `longs: String, enums: String, defaults: true`.
 */
export const ORDER_STATUS_ENUM = [
  'ORDER_STATUS_UNSPECIFIED',
  'ORDER_STATUS_PENDING',
  'ORDER_STATUS_RESERVED',
  'ORDER_STATUS_PAID',
  'ORDER_STATUS_CONFIRMED',
  'ORDER_STATUS_CANCELED',
  'ORDER_STATUS_REFUNDED',
] as const;
export type OrderStatusName = (typeof ORDER_STATUS_ENUM)[number];

export const toStatusName = (status: OrderStatus): OrderStatusName => `ORDER_STATUS_${status}`;

/** Domain status of an enum name; undefined for UNSPECIFIED or anything unknown. */
export function fromStatusName(name: string): OrderStatus | undefined {
  const index = ORDER_STATUS_ENUM.indexOf(name as OrderStatusName);
  return index > 0 ? (ORDER_STATUS_ENUM[index].slice('ORDER_STATUS_'.length) as OrderStatus) : undefined;
}

/** Enum name of a wire number (proto3 JSON accepts either). */
export const statusNameOfNumber = (value: number): OrderStatusName | undefined => ORDER_STATUS_ENUM[value];

export interface MoneyJson {
  readonly currency: string;
  readonly amountMinor: string;
}

export interface OrderItemJson {
  readonly sku: string;
  readonly qty: number;
  readonly price: MoneyJson;
}

export interface OrderJson {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatusName;
  readonly amount: MoneyJson;
  readonly items: readonly OrderItemJson[];
  readonly version: string;
  readonly currency: string;
}

export interface TimelineEventJson {
  readonly type: string;
  readonly reason: string;
  readonly unixTime: string;
}

export interface CreateOrderResponseJson {
  readonly order: OrderJson;
}

export interface GetOrderResponseJson {
  readonly order: OrderJson;
  readonly timeline: readonly TimelineEventJson[];
  /** oms.v1.GetOrderResponse.refunded (field 3, an addition to the Go contract): refunded so far. */
  readonly refunded: MoneyJson;
}

export interface ListOrdersResponseJson {
  readonly orders: readonly OrderJson[];
  readonly nextPageToken: string;
}

/** Answer of PayOrder, CancelOrder and RefundOrder. */
export interface OrderStatusResponseJson {
  readonly orderId: string;
  readonly status: OrderStatusName;
}

/** RFC 9457 problem details as the REST API renders every error. */
export interface ProblemJson {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly errors: readonly { readonly field: string; readonly message: string }[];
}

/** Limits of the public API (documented in the OpenAPI document and enforced at the edge). */
export const API_LIMITS = {
  idMaxLength: 64,
  skuMaxLength: 64,
  reasonMaxLength: 512,
  minItems: 1,
  maxItems: 100,
  minQty: 1,
  maxQty: 10_000,
  defaultPageSize: 100,
  maxPageSize: 500,
  idempotencyKeyMaxLength: 255,
} as const;

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_KEY_METADATA = 'idempotency-key';
