import { adminApi } from '../api/admin.api';
import type { SagaDetail } from '../api/admin.types';
import { ordersApi } from '../api/orders.api';
import type { GetOrderResponseJson } from '../api/orders.types';
import { money, unixTime } from '../ui/format';
import { href } from '../ui/router';
import { Empty, ErrorView, Loading, StatusBadge } from '../ui/states';
import { useLoad } from '../ui/use-load';
import { SagaActions } from './saga-actions';
import { SagaHistory } from './saga-history';

/** One order: items, amounts, status, the timeline (public API) and its sagas (admin API). */
export function OrderPage({ id }: { id: string }) {
  const [order, reload] = useLoad((signal) => ordersApi.get(id, signal), [id]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Order <code>{id}</code>
      </h1>
      {order.state === 'loading' && <Loading what="the order" />}
      {order.state === 'error' && <ErrorView error={order.error} retry={reload} />}
      {order.state === 'done' && <OrderView answer={order.value} reload={reload} />}
    </section>
  );
}

function OrderView({ answer, reload }: { answer: GetOrderResponseJson; reload: () => void }) {
  const { order, timeline, refunded } = answer;
  return (
    <>
      <dl class="facts" data-testid="order-facts">
        <dt>Status</dt>
        <dd data-testid="order-status">
          <StatusBadge status={order.status} />
        </dd>
        <dt>Customer</dt>
        <dd>
          <a href={href('/orders', { q: order.customerId })}>{order.customerId}</a>
        </dd>
        <dt>Amount</dt>
        <dd>{money(order.amount)}</dd>
        <dt>Refunded</dt>
        <dd>{money(refunded)}</dd>
        <dt>Version</dt>
        <dd>{order.version}</dd>
      </dl>
      <button type="button" onClick={reload}>
        Refresh
      </button>
      <h2>Items</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Quantity</th>
            <th scope="col">Unit price</th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.sku}>
              <td>{item.sku}</td>
              <td class="num">{item.qty}</td>
              <td class="num">{money(item.price)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Timeline</h2>
      {timeline.length === 0 ? (
        <Empty>No events yet.</Empty>
      ) : (
        <ol class="timeline" data-testid="timeline">
          {timeline.map((event, index) => (
            <li key={index}>
              <time>{unixTime(event.unixTime)}</time> <strong>{event.type}</strong>
              {event.reason && <span class="reason"> — {event.reason}</span>}
            </li>
          ))}
        </ol>
      )}
      <h2>Sagas</h2>
      <OrderSagas orderId={order.id} />
    </>
  );
}

/** The order's sagas from the admin API, each with its steps; without a token, a clear 401. */
function OrderSagas({ orderId }: { orderId: string }) {
  const [sagas, reload] = useLoad(
    async (signal): Promise<SagaDetail[]> => {
      const page = await adminApi.sagasOfOrder(orderId, signal);
      return Promise.all(page.sagas.map((saga) => adminApi.saga(saga.id, signal)));
    },
    [orderId],
  );
  if (sagas.state === 'loading') return <Loading what="sagas" />;
  if (sagas.state === 'error') return <ErrorView error={sagas.error} retry={reload} />;
  if (sagas.value.length === 0) return <Empty>No saga: the order was never paid, canceled after payment or refunded.</Empty>;
  return (
    <>
      {sagas.value.map((saga) => (
        <article class="saga" key={saga.id} data-testid="order-saga">
          <h3>
            <a href={href(`/sagas/${saga.id}`)}>{saga.kind || 'saga'}</a> <StatusBadge status={saga.status} />
          </h3>
          <p>
            Step {saga.step ?? '—'}, attempts {saga.attempts}
            {saga.lastError && (
              <>
                , last error: <span class="error-text">{saga.lastError}</span>
              </>
            )}
          </p>
          <SagaActions saga={saga} onDone={reload} />
          <SagaHistory saga={saga} />
        </article>
      ))}
    </>
  );
}
