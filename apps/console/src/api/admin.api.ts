import { sagaDetailOf } from './admin.decode';
import type { AdminDeadLettersJson, AdminSagaDetailJson, AdminSagaJson, AdminSagaListJson, SagaDetail, SagaList } from './admin.types';
import { newIdempotencyKey, request } from './http';

/** The saga lists of the Sagas page, by the admin API query that selects each. */
export const SAGA_LISTS: readonly SagaList[] = [
  { id: 'compensation-failed', label: 'Compensation failed', query: { status: 'COMPENSATION_FAILED' } },
  { id: 'waiting', label: 'Waiting for retry', query: { status: 'RUNNING' }, keep: (saga) => saga.attempts > 0 },
  { id: 'running', label: 'Running', query: { status: 'RUNNING' } },
  { id: 'older', label: 'Running, not updated for 15 min', query: { status: 'RUNNING', olderThan: '15m' } },
  { id: 'resolved', label: 'Resolved by an operator', query: { status: 'RESOLVED' } },
];

export function sagaListPath(query: Readonly<Record<string, string>>, pageSize: number, pageToken?: string): string {
  const params = new URLSearchParams({ ...query, pageSize: String(pageSize) });
  if (pageToken) params.set('pageToken', pageToken);
  return `/v1/admin/sagas?${params.toString()}`;
}

const sagaPath = (id: string) => `/v1/admin/sagas/${encodeURIComponent(id)}`;

export const adminApi = {
  sagas(query: Readonly<Record<string, string>>, pageSize: number, pageToken?: string, signal?: AbortSignal): Promise<AdminSagaListJson> {
    return request<AdminSagaListJson>(sagaListPath(query, pageSize, pageToken), { admin: true, signal });
  },
  sagasOfOrder(orderId: string, signal?: AbortSignal): Promise<AdminSagaListJson> {
    return request<AdminSagaListJson>(sagaListPath({ orderId }, 50), { admin: true, signal });
  },
  async saga(id: string, signal?: AbortSignal): Promise<SagaDetail> {
    return sagaDetailOf(await request<AdminSagaDetailJson>(sagaPath(id), { admin: true, signal }));
  },
  retry(id: string): Promise<{ saga: AdminSagaJson }> {
    return request(`${sagaPath(id)}/retry`, { method: 'POST', admin: true, idempotencyKey: newIdempotencyKey('retry') });
  },
  resolve(id: string, note: string): Promise<{ saga: AdminSagaJson }> {
    return request(`${sagaPath(id)}/resolve`, {
      method: 'POST',
      admin: true,
      body: { note, operator: 'console' },
      idempotencyKey: newIdempotencyKey('resolve'),
    });
  },
  deadLetters(signal?: AbortSignal): Promise<AdminDeadLettersJson> {
    return request<AdminDeadLettersJson>('/v1/admin/dead-letters', { admin: true, signal });
  },
  reprocessDeadLetters(limit: number): Promise<AdminDeadLettersJson> {
    return request('/v1/admin/dead-letters/reprocess', { method: 'POST', admin: true, body: { limit }, idempotencyKey: newIdempotencyKey('reprocess') });
  },
};
