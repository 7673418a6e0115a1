import type { GetOrderResponseJson, ListOrdersResponseJson, OrderStatusName } from './orders.types';
import { request } from './http';

export const ORDER_STATUSES: readonly OrderStatusName[] = [
  'ORDER_STATUS_PENDING',
  'ORDER_STATUS_RESERVED',
  'ORDER_STATUS_PAID',
  'ORDER_STATUS_CONFIRMED',
  'ORDER_STATUS_CANCELED',
  'ORDER_STATUS_REFUNDED',
];

export interface OrderQuery {
  readonly customerId: string;
  readonly statuses: readonly OrderStatusName[];
  readonly pageSize: number;
  readonly pageToken?: string;
}

/** The public API's ListOrders query string (proto3 JSON names, repeated filterStatuses). */
export function listOrdersPath(query: OrderQuery): string {
  const params = new URLSearchParams({ customerId: query.customerId, pageSize: String(query.pageSize) });
  if (query.pageToken) params.set('pageToken', query.pageToken);
  for (const status of query.statuses) params.append('filterStatuses', status);
  return `/v1/orders?${params.toString()}`;
}

export const ordersApi = {
  get: (id: string, signal?: AbortSignal) => request<GetOrderResponseJson>(`/v1/orders/${encodeURIComponent(id)}`, { signal }),
  list: (query: OrderQuery, signal?: AbortSignal) => request<ListOrdersResponseJson>(listOrdersPath(query), { signal }),
};
