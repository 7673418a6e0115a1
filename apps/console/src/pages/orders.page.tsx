import { ordersApi, ORDER_STATUSES } from '../api/orders.api';
import { ApiError } from '../api/http';
import type { GetOrderResponseJson, ListOrdersResponseJson, OrderStatusName } from '../api/orders.types';
import { money, statusLabel } from '../ui/format';
import { href, navigate } from '../ui/router';
import { Empty, ErrorView, Loading, StatusBadge } from '../ui/states';
import { useLoad } from '../ui/use-load';

const PAGE_SIZE = 20;

interface SearchResult {
  /** The order whose id is the query, if any. */
  readonly byId: GetOrderResponseJson | null;
  /** The orders of the customer whose id is the query. */
  readonly page: ListOrdersResponseJson;
}

/** Orders: one box for an order id or a customer id, a status filter, pages of the customer's orders. */
export function OrdersPage({ query }: { query: URLSearchParams }) {
  const q = query.get('q')?.trim() ?? '';
  const status = (query.get('status') ?? '') as OrderStatusName | '';
  const token = query.get('page') ?? '';
  const [result, reload] = useLoad<SearchResult | null>(
    async (signal) => {
      if (!q) return null;
      const [byId, page] = await Promise.all([
        ordersApi.get(q, signal).catch((error: unknown) => {
          if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return null;
          throw error;
        }),
        ordersApi
          .list({ customerId: q, statuses: status ? [status] : [], pageSize: PAGE_SIZE, pageToken: token || undefined }, signal)
          .catch((error: unknown) => {
            // Not a valid customer id (an order id may be longer than one): no customer's orders.
            if (error instanceof ApiError && error.status === 400 && !token) return { orders: [], nextPageToken: '' };
            throw error;
          }),
      ]);
      return { byId, page };
    },
    [q, status, token],
  );

  const search = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    navigate(href('/orders', { q: String(form.get('q') ?? '').trim(), status: String(form.get('status') ?? '') }).slice(1));
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Orders
      </h1>
      <form class="toolbar" role="search" onSubmit={search}>
        <label>
          Order id or customer id
          <input name="q" type="search" value={q} placeholder="e.g. c-42 or an order id" autoComplete="off" data-testid="order-search" />
        </label>
        <label>
          Status
          <select name="status" value={status} data-testid="status-filter">
            <option value="">any status</option>
            {ORDER_STATUSES.map((name) => (
              <option key={name} value={name}>
                {statusLabel(name)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      {!q && <Empty>Type an order id or a customer id: the API lists orders per customer.</Empty>}
      {q && result.state === 'loading' && <Loading what="orders" />}
      {q && result.state === 'error' && <ErrorView error={result.error} retry={reload} />}
      {q && result.state === 'done' && result.value && <Results q={q} status={status} token={token} result={result.value} />}
    </section>
  );
}

function Results({ q, status, token, result }: { q: string; status: string; token: string; result: SearchResult }) {
  const { byId, page } = result;
  return (
    <>
      {byId && (
        <p class="match" data-testid="order-match">
          Order <a href={href(`/orders/${byId.order.id}`)}>{byId.order.id}</a> of customer {byId.order.customerId}:{' '}
          <StatusBadge status={byId.order.status} /> {money(byId.order.amount)}
        </p>
      )}
      {page.orders.length === 0 && !byId && (
        <Empty>
          No order has the id {q}, and customer {q} has no orders{status ? ` in status ${statusLabel(status)}` : ''}.
        </Empty>
      )}
      {page.orders.length > 0 && (
        <table data-testid="orders-table">
          <caption>
            Orders of customer {q}
            {status ? `, status ${statusLabel(status)}` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Status</th>
              <th scope="col">Amount</th>
              <th scope="col">Items</th>
            </tr>
          </thead>
          <tbody>
            {page.orders.map((order) => (
              <tr key={order.id}>
                <td>
                  <a href={href(`/orders/${order.id}`)}>{order.id}</a>
                </td>
                <td>
                  <StatusBadge status={order.status} />
                </td>
                <td class="num">{money(order.amount)}</td>
                <td>{order.items.map((item) => `${item.qty} × ${item.sku}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {token && <a href={href('/orders', { q, status })}>First page</a>}
        {page.nextPageToken && <a href={href('/orders', { q, status, page: page.nextPageToken })}>Next page</a>}
      </nav>
    </>
  );
}
