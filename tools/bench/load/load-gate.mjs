// The Go OMS's CI load gate, same shape: `scenarios` create -> pay -> cancel scenarios run by
// `concurrency` virtual users back to back. Like that gate (k6 http_req_duration /
// http_req_failed), latency and error rate are per HTTP request; any answer other than the
// expected 201 / 202 / 202, or no answer, is an error.
import { randomUUID } from 'node:crypto';
import { loadOptions, printResult } from '../lib/load-process.mjs';
import { summarize } from '../lib/stats.mjs';
import { ApiClient } from './http-client.mjs';
import { orderBody } from './order-body.mjs';

const { url, scenarios, concurrency } = loadOptions();
const run = randomUUID().slice(0, 8);
const api = new ApiClient(url, concurrency);
const requestMs = [];
const scenarioMs = [];
const errors = {};
let requests = 0;

async function call(what, path, body, key, expected) {
  requests += 1;
  const answer = await api.post(path, body, key);
  requestMs.push(answer.ms);
  if (answer.status !== expected) {
    const label = `${what} ${answer.status}`;
    errors[label] = (errors[label] ?? 0) + 1;
    return null;
  }
  return answer;
}

async function scenario(index) {
  const started = performance.now();
  const created = await call('create', '/v1/orders', orderBody(`gate-${index % 100}`), `gate-${run}-${index}-create`, 201);
  if (!created) return;
  const orderId = created.body.order.id;
  if (!(await call('pay', `/v1/orders/${orderId}/pay`, undefined, `gate-${run}-${index}-pay`, 202))) return;
  if (!(await call('cancel', `/v1/orders/${orderId}/cancel`, { reason: 'load gate' }, `gate-${run}-${index}-cancel`, 202))) return;
  scenarioMs.push(performance.now() - started);
}

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < scenarios) await scenario(next++);
  }),
);
const seconds = (performance.now() - started) / 1000;
api.close();

const errorCount = Object.values(errors).reduce((sum, count) => sum + count, 0);
printResult({
  scenarios,
  concurrency,
  seconds: Number(seconds.toFixed(2)),
  requests,
  errors: errorCount,
  errorRate: requests === 0 ? null : Number((errorCount / requests).toFixed(4)),
  errorsByKind: errors,
  requestMs: summarize(requestMs),
  scenarioMs: summarize(scenarioMs),
});
