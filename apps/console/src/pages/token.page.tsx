import { useState } from 'preact/hooks';
import { adminToken } from '../api/admin-token';
import { navigate } from '../ui/router';

/** The admin token, typed once per tab (sessionStorage); the admin pages send it as a bearer. */
export function TokenPage({ query }: { query: URLSearchParams }) {
  const [value, setValue] = useState('');
  const [saved, setSaved] = useState(adminToken.get() !== undefined);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Admin token
      </h1>
      <p>
        Sagas, dead letters and the sagas of an order come from the admin API, which needs the token set in <code>OMS_ADMIN_TOKEN</code>. It is
        kept in this tab only (session storage) and sent as <code>Authorization: Bearer</code>.
      </p>
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          adminToken.set(value);
          setValue('');
          setSaved(adminToken.get() !== undefined);
          // Back to the page that asked for the token (a console path only).
          const from = query.get('from') ?? '';
          navigate(from.startsWith('/') ? from : '/sagas');
        }}
      >
        <label>
          Token
          <input type="password" autoComplete="off" value={value} onInput={(event) => setValue((event.currentTarget as HTMLInputElement).value)} data-testid="token-input" />
        </label>
        <button type="submit" disabled={!value.trim()}>
          Use this token
        </button>
        {saved && (
          <button
            type="button"
            onClick={() => {
              adminToken.clear();
              setSaved(false);
            }}
          >
            Forget the token
          </button>
        )}
      </form>
      <p role="status">{saved ? 'A token is set for this tab.' : 'No token is set.'}</p>
    </section>
  );
}
