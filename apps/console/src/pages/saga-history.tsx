import { partnerCallsOf } from '../api/admin.decode';
import type { SagaDetail } from '../api/admin.types';
import { isoTime } from '../ui/format';
import { Empty } from '../ui/states';

/** A saga's partner calls (idempotency keys, attempts, errors) and the order events it wrote. */
export function SagaHistory({ saga }: { saga: SagaDetail }) {
  const calls = partnerCallsOf(saga);
  return (
    <>
      <h4>Partner calls</h4>
      {calls.length === 0 ? (
        <Empty>No partner call yet.</Empty>
      ) : (
        <table class="history" data-testid="partner-calls">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Idempotency key</th>
              <th scope="col">Outcome</th>
              <th scope="col">When</th>
              <th scope="col">Attempts</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {calls.map((call, index) => (
              <tr key={index}>
                <td>{call.step}</td>
                <td>
                  <code>{call.idempotencyKey}</code>
                </td>
                <td>{call.outcome}</td>
                <td>{isoTime(call.at)}</td>
                <td class="num">{call.attempts ?? '—'}</td>
                <td class="error-text">{call.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Steps (order events the saga wrote)</h4>
      {saga.history.length === 0 ? (
        <Empty>No step recorded yet.</Empty>
      ) : (
        <table class="history" data-testid="saga-history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Reason</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {saga.history.map((entry) => (
              <tr key={entry.version}>
                <td>{isoTime(entry.occurredAt)}</td>
                <td>{entry.type}</td>
                <td>{entry.reason}</td>
                <td class="num">{entry.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
