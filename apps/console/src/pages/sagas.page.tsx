import { adminApi, SAGA_LISTS } from '../api/admin.api';
import { isoTime } from '../ui/format';
import { href } from '../ui/router';
import { Empty, ErrorView, Loading, StatusBadge } from '../ui/states';
import { useLoad } from '../ui/use-load';
import { SagaActions } from './saga-actions';

const PAGE_SIZE = 25;

/** Sagas: the admin API's lists (compensation failed, waiting, running, old), with their actions. */
export function SagasPage({ query }: { query: URLSearchParams }) {
  const list = SAGA_LISTS.find((candidate) => candidate.id === query.get('list')) ?? SAGA_LISTS[0];
  const token = query.get('page') ?? '';
  const [page, reload] = useLoad(async (signal) => {
    const answer = await adminApi.sagas(list.query, PAGE_SIZE, token || undefined, signal);
    return list.keep ? { ...answer, sagas: answer.sagas.filter(list.keep) } : answer;
  }, [list.id, token]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Sagas
      </h1>
      <nav class="tabs" aria-label="Saga lists">
        {SAGA_LISTS.map((candidate) => (
          <a key={candidate.id} href={href('/sagas', { list: candidate.id })} aria-current={candidate.id === list.id ? 'page' : undefined}>
            {candidate.label}
          </a>
        ))}
      </nav>
      {page.state === 'loading' && <Loading what="sagas" />}
      {page.state === 'error' && <ErrorView error={page.error} retry={reload} />}
      {page.state === 'done' && page.value.sagas.length === 0 && <Empty>No saga in “{list.label}”.</Empty>}
      {page.state === 'done' && page.value.sagas.length > 0 && (
        <table data-testid="sagas-table">
          <caption>{list.label}</caption>
          <thead>
            <tr>
              <th scope="col">Saga</th>
              <th scope="col">Order</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Step</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {page.value.sagas.map((saga) => (
              <tr key={saga.id} data-order={saga.orderId}>
                <td>
                  <a href={href(`/sagas/${saga.id}`)}>{saga.id}</a>
                </td>
                <td>
                  <a href={href(`/orders/${saga.orderId}`)}>{saga.orderId}</a>
                </td>
                <td>{saga.kind}</td>
                <td>
                  <StatusBadge status={saga.status} />
                </td>
                <td>{saga.step ?? '—'}</td>
                <td class="num">{saga.attempts}</td>
                <td class="error-text">{saga.lastError ?? ''}</td>
                <td>{isoTime(saga.nextAttemptAt)}</td>
                <td>
                  <SagaActions saga={saga} onDone={reload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.state === 'done' && (
        <nav class="pager" aria-label="Pages">
          {token && <a href={href('/sagas', { list: list.id })}>First page</a>}
          {page.value.nextPageToken && <a href={href('/sagas', { list: list.id, page: page.value.nextPageToken })}>Next page</a>}
        </nav>
      )}
    </section>
  );
}
