import { useState } from 'preact/hooks';
import { adminApi } from '../api/admin.api';
import type { AdminSagaJson } from '../api/admin.types';
import { ErrorView } from '../ui/states';

type Phase = { readonly kind: 'idle' } | { readonly kind: 'resolving' } | { readonly kind: 'busy' } | { readonly kind: 'done'; readonly what: string } | { readonly kind: 'error'; readonly error: unknown };

/**
 * Retry (run the step now; for COMPENSATION_FAILED, try the compensation again) and Resolve (close
 * the saga with a note the order's timeline records). Ended sagas offer neither.
 */
export function SagaActions({ saga, onDone }: { saga: AdminSagaJson; onDone: () => void }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [note, setNote] = useState('');
  if (saga.status !== 'RUNNING' && saga.status !== 'COMPENSATION_FAILED') return null;

  const act = async (what: string, call: () => Promise<unknown>) => {
    setPhase({ kind: 'busy' });
    try {
      await call();
      setPhase({ kind: 'done', what });
      onDone();
    } catch (error) {
      setPhase({ kind: 'error', error });
    }
  };

  return (
    <div class="actions">
      {phase.kind !== 'resolving' && (
        <>
          <button type="button" disabled={phase.kind === 'busy'} onClick={() => act('Retry requested', () => adminApi.retry(saga.id))} data-testid="saga-retry">
            Retry
          </button>
          <button type="button" disabled={phase.kind === 'busy'} onClick={() => setPhase({ kind: 'resolving' })} data-testid="saga-resolve">
            Resolve…
          </button>
        </>
      )}
      {phase.kind === 'resolving' && (
        <form
          class="resolve"
          onKeyDown={(event) => event.key === 'Escape' && setPhase({ kind: 'idle' })}
          onSubmit={(event) => {
            event.preventDefault();
            if (note.trim()) void act('Resolved', () => adminApi.resolve(saga.id, note.trim()));
          }}
        >
          <label>
            Note (who, what, why: recorded in the order's timeline)
            <textarea
              required
              autoFocus
              rows={2}
              value={note}
              onInput={(event) => setNote((event.currentTarget as HTMLTextAreaElement).value)}
              data-testid="resolve-note"
            />
          </label>
          <button type="submit" disabled={!note.trim()} data-testid="resolve-confirm">
            Resolve saga
          </button>
          <button type="button" onClick={() => setPhase({ kind: 'idle' })}>
            Cancel
          </button>
        </form>
      )}
      {phase.kind === 'busy' && <span role="status">Working…</span>}
      {phase.kind === 'done' && (
        <span role="status" class="ok-text" data-testid="saga-action-done">
          {phase.what}.
        </span>
      )}
      {phase.kind === 'error' && <ErrorView error={phase.error} />}
    </div>
  );
}
