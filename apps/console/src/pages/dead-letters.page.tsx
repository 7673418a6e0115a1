import { useState } from 'preact/hooks';
import { adminApi } from '../api/admin.api';
import { isoTime } from '../ui/format';
import { href } from '../ui/router';
import { Empty, ErrorView, Loading } from '../ui/states';
import { useLoad } from '../ui/use-load';

/** Outbox dead letters: how many, which, and reprocessing them after a confirmation. */
export function DeadLettersPage() {
  const [page, reload] = useLoad((signal) => adminApi.deadLetters(signal), []);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: unknown } | null>(null);

  const reprocess = async () => {
    setConfirming(false);
    try {
      const answer = (await adminApi.reprocessDeadLetters()) as { reprocessed?: number } | undefined;
      setOutcome({ ok: true, text: `Reprocessing started${typeof answer?.reprocessed === 'number' ? `: ${answer.reprocessed} letters` : ''}.` });
      reload();
    } catch (error) {
      setOutcome({ ok: false, error });
    }
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Dead letters
      </h1>
      {page.state === 'loading' && <Loading what="dead letters" />}
      {page.state === 'error' && <ErrorView error={page.error} retry={reload} />}
      {page.state === 'done' && (
        <>
          <p class="count" data-testid="dead-letter-count">
            {page.value.total} outbox {page.value.total === 1 ? 'row' : 'rows'} dead-lettered.
          </p>
          {page.value.total > 0 && !confirming && (
            <button type="button" onClick={() => setConfirming(true)} data-testid="reprocess">
              Reprocess…
            </button>
          )}
          {confirming && (
            <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
              <p id="confirm-text">
                Publish all {page.value.total} dead-lettered rows again? Consumers deduplicate by event id, so a row already delivered is harmless.
              </p>
              <button type="button" autoFocus onClick={() => void reprocess()} data-testid="reprocess-confirm">
                Yes, reprocess
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          )}
          {outcome?.ok === true && <p role="status">{outcome.text}</p>}
          {outcome?.ok === false && <ErrorView error={outcome.error} />}
          {page.value.deadLetters.length === 0 ? (
            <Empty>Nothing is dead-lettered.</Empty>
          ) : (
            <table data-testid="dead-letters-table">
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Topic</th>
                  <th scope="col">Order</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {page.value.deadLetters.map((letter) => (
                  <tr key={letter.id}>
                    <td>{letter.id}</td>
                    <td>{letter.topic ?? '—'}</td>
                    <td>{letter.key ? <a href={href(`/orders/${letter.key}`)}>{letter.key}</a> : '—'}</td>
                    <td>{letter.eventType ?? '—'}</td>
                    <td class="num">{letter.attempts ?? '—'}</td>
                    <td class="error-text">{letter.lastError ?? ''}</td>
                    <td>{isoTime(letter.at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
