import { SAGA_LISTS, sagaListPath } from './admin.api';
import { listOrdersPath } from './orders.api';

describe('API paths', () => {
  it('asks ListOrders with proto3 JSON names and repeated filterStatuses', () => {
    expect(listOrdersPath({ customerId: 'c 42', statuses: ['ORDER_STATUS_CANCELED', 'ORDER_STATUS_REFUNDED'], pageSize: 20, pageToken: 't/1' })).toBe(
      '/v1/orders?customerId=c+42&pageSize=20&pageToken=t%2F1&filterStatuses=ORDER_STATUS_CANCELED&filterStatuses=ORDER_STATUS_REFUNDED',
    );
    expect(listOrdersPath({ customerId: 'c', statuses: [], pageSize: 5 })).toBe('/v1/orders?customerId=c&pageSize=5');
  });

  it('asks the admin saga list with the filters of each list of the Sagas page', () => {
    const query = (id: string) => SAGA_LISTS.find((list) => list.id === id)?.query ?? {};
    expect(sagaListPath(query('compensation-failed'), 25)).toBe('/v1/admin/sagas?status=COMPENSATION_FAILED&pageSize=25');
    expect(sagaListPath(query('older'), 25, 'next')).toBe('/v1/admin/sagas?status=RUNNING&olderThan=15m&pageSize=25&pageToken=next');
    expect(sagaListPath({ orderId: 'o-1' }, 50)).toBe('/v1/admin/sagas?orderId=o-1&pageSize=50');
  });

  it('keeps only the sagas that failed an attempt in "waiting for retry"', () => {
    const waiting = SAGA_LISTS.find((list) => list.id === 'waiting');
    const saga = (attempts: number) => ({ attempts }) as Parameters<NonNullable<typeof waiting>['keep'] & object>[0];
    expect(waiting?.keep?.(saga(0))).toBe(false);
    expect(waiting?.keep?.(saga(2))).toBe(true);
  });
});
