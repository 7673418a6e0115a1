import { useState } from 'preact/hooks';
import { adminApi } from '../api/admin.api';
import { deadLetterCount } from '../api/admin.decode';
import type { AdminDeadLettersJson } from '../api/admin.types';
import { isoTime } from '../ui/format';
import { href } from '../ui/router';
import { Empty, ErrorView, Loading } from '../ui/states';
import { useLoad } from '../ui/use-load';

const REPROCESS_LIMIT = 1000;

/** Outbox dead letters: how many, which, and reprocessing them after a confirmation. */
export function DeadLettersPage() {
  const [page, reload] = useLoad((signal) => adminApi.deadLetters(signal), []);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Dead letters
      </h1>
      {page.state === 'loading' && <Loading what="dead letters" />}
      {page.state === 'error' && <ErrorView error={page.error} retry={reload} />}
      {page.state === 'done' && <DeadLetters answer={page.value} reload={reload} />}
    </section>
  );
}

function DeadLetters({ answer, reload }: { answer: AdminDeadLettersJson; reload: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: unknown } | null>(null);
  const total = deadLetterCount(answer);

  const reprocess = async () => {
    setConfirming(false);
    try {
      const done = await adminApi.reprocessDeadLetters(REPROCESS_LIMIT);
      setOutcome({ ok: true, text: `${done.deadLetters.length} set pending again for the relay; ${done.remaining} left.` });
      reload();
    } catch (error) {
      setOutcome({ ok: false, error });
    }
  };

  return (
    <>
      <p class="count" data-testid="dead-letter-count">
        {total} outbox {total === 1 ? 'row' : 'rows'} dead-lettered.
      </p>
      {total > 0 && !confirming && (
        <button type="button" onClick={() => setConfirming(true)} data-testid="reprocess">
          Reprocess…
        </button>
      )}
      {confirming && (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text" onKeyDown={(event) => event.key === 'Escape' && setConfirming(false)}>
          <p id="confirm-text">
            Set {total > REPROCESS_LIMIT ? `the oldest ${REPROCESS_LIMIT} of ${total}` : `all ${total}`} dead-lettered rows pending again for the
            relay? Consumers deduplicate by event id, so a row already delivered is harmless.
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
      {answer.deadLetters.length === 0 ? (
        <Empty>Nothing is dead-lettered.</Empty>
      ) : (
        <table data-testid="dead-letters-table">
          <caption>{answer.remaining > 0 ? `The first ${answer.deadLetters.length}; ${answer.remaining} more` : 'All dead letters'}</caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Topic</th>
              <th scope="col">Order</th>
              <th scope="col">Partition</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Written</th>
            </tr>
          </thead>
          <tbody>
            {answer.deadLetters.map((letter) => (
              <tr key={letter.id}>
                <td>{letter.id}</td>
                <td>{letter.topic}</td>
                <td>
                  <a href={href(`/orders/${letter.key}`)}>{letter.key}</a>
                </td>
                <td class="num">{letter.partition}</td>
                <td class="num">{letter.attempts}</td>
                <td class="error-text">{letter.lastError ?? ''}</td>
                <td>{isoTime(letter.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
