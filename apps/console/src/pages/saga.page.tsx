import { adminApi } from '../api/admin.api';
import { isoTime } from '../ui/format';
import { href } from '../ui/router';
import { ErrorView, Loading, StatusBadge } from '../ui/states';
import { useLoad } from '../ui/use-load';
import { SagaActions } from './saga-actions';
import { SagaHistory } from './saga-history';

/** One saga: its state, step history (partner calls, idempotency keys, errors) and actions. */
export function SagaPage({ id }: { id: string }) {
  const [saga, reload] = useLoad((signal) => adminApi.saga(id, signal), [id]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Saga <code>{id}</code>
      </h1>
      {saga.state === 'loading' && <Loading what="the saga" />}
      {saga.state === 'error' && <ErrorView error={saga.error} retry={reload} />}
      {saga.state === 'done' && (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd data-testid="saga-status">
              <StatusBadge status={saga.value.status} />
            </dd>
            <dt>Order</dt>
            <dd>
              <a href={href(`/orders/${saga.value.orderId}`)}>{saga.value.orderId}</a>
            </dd>
            <dt>Kind</dt>
            <dd>{saga.value.kind}</dd>
            <dt>Step</dt>
            <dd>{saga.value.step ?? '—'}</dd>
            <dt>Attempts</dt>
            <dd>{saga.value.attempts}</dd>
            <dt>Last error</dt>
            <dd class="error-text">{saga.value.lastError ?? '—'}</dd>
            <dt>Next attempt</dt>
            <dd>{isoTime(saga.value.nextAttemptAt)}</dd>
          </dl>
          <SagaActions saga={saga.value} onDone={reload} />
          <h2>Steps</h2>
          <SagaHistory saga={saga.value} />
          <details>
            <summary>Stored state</summary>
            <pre>{JSON.stringify(saga.value.state, null, 2)}</pre>
          </details>
        </>
      )}
    </section>
  );
}
