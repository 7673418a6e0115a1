// POST /v1/orders with a unique Idempotency-Key per request, closed loop (autocannon):
// `connections` keep-alive connections, one request in flight on each, for `seconds`.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { loadOptions, printResult } from '../lib/load-process.mjs';
import { orderBody } from './order-body.mjs';

const { url, connections, seconds } = loadOptions();
const run = randomUUID().slice(0, 8);
let sequence = 0;

const result = await autocannon({
  url: `${url}/v1/orders`,
  connections,
  duration: seconds,
  timeout: 10,
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => {
        sequence += 1;
        return {
          ...request,
          headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${run}-${sequence}` },
          body: JSON.stringify(orderBody(`customer-${sequence % 1000}`)),
        };
      },
    },
  ],
});

const latency = result.latency;
printResult({
  connections,
  seconds: result.duration,
  requests: result.requests.total,
  requestsPerSecond: Number((result['2xx'] / result.duration).toFixed(1)),
  ok2xx: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  // autocannon's HDR histogram (1 ms resolution, values in ms)
  latencyMs: { mean: latency.average, p50: latency.p50, p90: latency.p90, p99: latency.p99, max: latency.max },
});
