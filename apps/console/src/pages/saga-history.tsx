import type { SagaDetail } from '../api/admin.types';
import { isoTime } from '../ui/format';
import { Empty } from '../ui/states';

/** A saga's steps: partner calls with their idempotency keys, attempts and errors. */
export function SagaHistory({ saga }: { saga: SagaDetail }) {
  if (saga.history.length === 0) return <Empty>No step recorded yet.</Empty>;
  return (
    <table class="history" data-testid="saga-history">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Step</th>
          <th scope="col">What</th>
          <th scope="col">Attempts</th>
          <th scope="col">Idempotency key</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {saga.history.map((entry, index) => (
          <tr key={index}>
            <td>{isoTime(entry.at)}</td>
            <td>{entry.step ?? '—'}</td>
            <td>{entry.what}</td>
            <td class="num">{entry.attempts ?? '—'}</td>
            <td>{entry.idempotencyKey ? <code>{entry.idempotencyKey}</code> : '—'}</td>
            <td class="error-text">{entry.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
