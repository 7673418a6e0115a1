import { useCallback, useEffect, useState } from 'preact/hooks';

export type Load<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly error: unknown }
  | { readonly state: 'done'; readonly value: T };

/**
 * Runs `load` whenever `deps` change (aborting the previous run) and on `reload()`; the page
 * renders its loading, error and done states from the result.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): [Load<T>, () => void] {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setResult({ state: 'loading' });
    load(controller.signal).then(
      (value) => !controller.signal.aborted && setResult({ state: 'done', value }),
      (error: unknown) => !controller.signal.aborted && setResult({ state: 'error', error }),
    );
    return () => controller.abort();
    // The caller names what the load depends on (deps); `load` itself is a new closure each render.
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return [result, reload];
}
