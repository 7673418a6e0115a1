import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/orders/ID`): the server serves one index.html at /console/ and needs no
 * fallback for deep links; reload and the back button work as in any page.
 */
export function currentPath(): string {
  const hash = window.location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : '/orders';
}

export function navigate(path: string): void {
  window.location.hash = path;
}

export function useRoute(): { path: string; segments: string[]; query: URLSearchParams } {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  const [pathname, search = ''] = path.split('?');
  return { path, segments: pathname.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

/** `#/path?query` for links. */
export function href(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value) params.set(name, value);
  const search = params.toString();
  return `#${path}${search ? `?${search}` : ''}`;
}
