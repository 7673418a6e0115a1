const KEY = 'oms.console.adminToken';

/**
 * The admin bearer token, typed in once per browser tab and kept in sessionStorage: it survives
 * reloads but not the tab, and never reaches localStorage or a cookie.
 */
export const adminToken = {
  get(): string | undefined {
    return sessionStorage.getItem(KEY) ?? undefined;
  },
  set(token: string): void {
    const trimmed = token.trim();
    if (trimmed) sessionStorage.setItem(KEY, trimmed);
    else sessionStorage.removeItem(KEY);
    window.dispatchEvent(new Event(KEY));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
    window.dispatchEvent(new Event(KEY));
  },
  /** Calls `listener` whenever the token is set or cleared in this tab. */
  subscribe(listener: () => void): () => void {
    window.addEventListener(KEY, listener);
    return () => window.removeEventListener(KEY, listener);
  },
};
