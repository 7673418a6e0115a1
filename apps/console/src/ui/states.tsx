import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/http';
import { statusLabel, statusTone } from './format';
import { currentPath, navigate } from './router';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state empty">{children}</p>;
}

/** An error as the operator can act on it: a missing or wrong admin token says so plainly. */
export function ErrorView({ error, retry }: { error: unknown; retry?: () => void }) {
  if (error instanceof ApiError && error.isAuth) {
    return (
      <div class="state error" role="alert" data-testid="auth-error">
        <strong>{error.status === 401 ? 'Admin token required (401).' : 'Admin token refused (403).'}</strong>{' '}
        {error.status === 401
          ? 'This page uses the admin API: enter the token set in OMS_ADMIN_TOKEN.'
          : 'The token entered is not the one set in OMS_ADMIN_TOKEN.'}{' '}
        <button type="button" onClick={() => navigate(`/token?from=${encodeURIComponent(currentPath())}`)}>
          Enter the admin token
        </button>
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      <div class="state error" role="alert">
        <strong>Not found (404).</strong> {error.detail || error.title}
      </div>
    );
  }
  const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  return (
    <div class="state error" role="alert">
      <strong>Could not load.</strong> {message}
      {error instanceof ApiError && error.fields.length > 0 && (
        <ul>
          {error.fields.map((field) => (
            <li key={field.field}>
              {field.field}: {field.message}
            </li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge ${statusTone(status)}`}>{statusLabel(status) || '—'}</span>;
}
