import { useEffect, useState } from 'preact/hooks';
import { request } from '../api/http';
import { parseExposition } from '../live/exposition';
import { FINAL_STATUS_COUNTERS, ratesOf, snapshotOf, trim, type Snapshot } from '../live/live-series';
import { ErrorView, Loading } from '../ui/states';

const REFRESH_MS = 3_000;
const WINDOW_MS = 60_000;
const KEEP_MS = 10 * 60_000;

/** Live: orders ending per minute by final status and the outbox backlog, scraped every few seconds. */
export function LivePage() {
  const [history, setHistory] = useState<Snapshot[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let stopped = false;
    const scrape = async () => {
      try {
        const text = await requestText('/console/api/metrics');
        if (stopped) return;
        setHistory((previous) => trim([...previous, snapshotOf(parseExposition(text), Date.now())], KEEP_MS));
        setError(null);
      } catch (failure) {
        if (!stopped) setError(failure);
      }
    };
    void scrape();
    const timer = setInterval(() => void scrape(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  const newest = history.at(-1);
  const rates = ratesOf(history, WINDOW_MS);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Live
      </h1>
      <p class="hint">From this process's metrics, refreshed every {REFRESH_MS / 1000} s; rates over the last minute.</p>
      {error !== null && <ErrorView error={error} />}
      {!newest && error === null && <Loading what="metrics" />}
      {newest && (
        <>
          <h2>Orders per minute, by how their saga ended</h2>
          <table data-testid="live-rates">
            <thead>
              <tr>
                <th scope="col">Final status</th>
                <th scope="col">Per minute</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>Placed (POST /v1/orders, 201)</td>
                <td class="num">{rates ? rates.ordersPlaced.toFixed(1) : '…'}</td>
                <td class="num">{newest.ordersPlaced}</td>
              </tr>
              {FINAL_STATUS_COUNTERS.map((counter) => (
                <tr key={counter.id}>
                  <td>{counter.label}</td>
                  <td class="num">
                    <Bar value={rates?.counters[counter.id]} />
                  </td>
                  <td class="num">{newest.counters[counter.id]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Outbox backlog</h2>
          <p data-testid="outbox-backlog">
            <strong>{newest.outboxPending}</strong> rows waiting for the relay; the oldest for {newest.outboxOldestAgeSeconds.toFixed(0)} s.
          </p>
          <Sparkline values={history.map((snapshot) => snapshot.outboxPending)} />
        </>
      )}
    </section>
  );
}

async function requestText(path: string): Promise<string> {
  // The exposition is text, not JSON: read it through fetch directly, errors as the API's.
  const response = await fetch(path, { headers: { accept: 'text/plain' } });
  if (!response.ok) await request(path); // throws the ApiError of that status
  return response.text();
}

function Bar({ value }: { value: number | undefined }) {
  if (value === undefined) return <span>…</span>;
  const width = Math.min(100, value * 2);
  return (
    <span class="bar-cell">
      <span class="bar" style={{ width: `${width}px` }} aria-hidden="true" />
      {value.toFixed(1)}
    </span>
  );
}

/** The backlog over the last minutes, as a line (the figure above is the number that counts). */
function Sparkline({ values }: { values: readonly number[] }) {
  if (values.length < 2) return null;
  const max = Math.max(1, ...values);
  const points = values.map((value, index) => `${(index / (values.length - 1)) * 300},${40 - (value / max) * 38}`).join(' ');
  return (
    <svg class="sparkline" width="300" height="42" viewBox="0 0 300 42" role="img" aria-label={`Outbox backlog, last ${values.length} samples, at most ${max}`}>
      <polyline points={points} fill="none" stroke="currentColor" stroke-width="2" />
    </svg>
  );
}
