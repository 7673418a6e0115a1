import { decodeDeadLetterPage, decodeSagaDetail, decodeSagaPage } from './admin.decode';
import type { DeadLetterPage, SagaDetail, SagaList, SagaPage } from './admin.types';
import { newIdempotencyKey, request } from './http';

/** The saga lists of the admin API, by the query that selects each. */
export const SAGA_LISTS: readonly SagaList[] = [
  { id: 'compensation-failed', label: 'Compensation failed', query: { status: 'COMPENSATION_FAILED' } },
  { id: 'waiting', label: 'Waiting for retry', query: { status: 'RUNNING', waiting: 'true' } },
  { id: 'running', label: 'Running', query: { status: 'RUNNING' } },
  { id: 'older', label: 'Running longer than 15 min', query: { status: 'RUNNING', olderThan: '15m' } },
];

export function sagaListPath(query: Readonly<Record<string, string>>, pageSize: number, pageToken?: string): string {
  const params = new URLSearchParams({ ...query, pageSize: String(pageSize) });
  if (pageToken) params.set('pageToken', pageToken);
  return `/v1/admin/sagas?${params.toString()}`;
}

const sagaPath = (id: string) => `/v1/admin/sagas/${encodeURIComponent(id)}`;

export const adminApi = {
  async sagas(query: Readonly<Record<string, string>>, pageSize: number, pageToken?: string, signal?: AbortSignal): Promise<SagaPage> {
    return decodeSagaPage(await request(sagaListPath(query, pageSize, pageToken), { admin: true, signal }));
  },
  async sagasOfOrder(orderId: string, signal?: AbortSignal): Promise<SagaPage> {
    return decodeSagaPage(await request(sagaListPath({ orderId }, 50), { admin: true, signal }));
  },
  async saga(id: string, signal?: AbortSignal): Promise<SagaDetail> {
    return decodeSagaDetail(await request(sagaPath(id), { admin: true, signal }));
  },
  retry(id: string): Promise<unknown> {
    return request(`${sagaPath(id)}/retry`, { method: 'POST', admin: true, body: {}, idempotencyKey: newIdempotencyKey('retry') });
  },
  resolve(id: string, note: string): Promise<unknown> {
    return request(`${sagaPath(id)}/resolve`, { method: 'POST', admin: true, body: { note }, idempotencyKey: newIdempotencyKey('resolve') });
  },
  async deadLetters(signal?: AbortSignal): Promise<DeadLetterPage> {
    return decodeDeadLetterPage(await request('/v1/admin/dead-letters', { admin: true, signal }));
  },
  reprocessDeadLetters(): Promise<unknown> {
    return request('/v1/admin/dead-letters/reprocess', { method: 'POST', admin: true, body: {}, idempotencyKey: newIdempotencyKey('reprocess') });
  },
};
