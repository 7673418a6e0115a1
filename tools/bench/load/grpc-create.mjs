// oms.v1.OrderService/CreateOrder with a unique idempotency-key per call, closed loop:
// `concurrency` calls in flight, spread over `channels` HTTP/2 connections, for `seconds`.
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadOptions, printResult } from '../lib/load-process.mjs';
import { summarize } from '../lib/stats.mjs';
import { orderRequest } from './order-body.mjs';

const { address, concurrency, channels, seconds, protoRoot } = loadOptions();
const definition = protoLoader.loadSync(join(protoRoot, 'oms/v1/order_service.proto'), {
  includeDirs: [protoRoot],
  longs: String,
  enums: String,
  defaults: true,
});
const { OrderService } = grpc.loadPackageDefinition(definition).oms.v1;
// A distinct channel option per client stops grpc-js from sharing one connection between them.
const clients = Array.from(
  { length: Math.max(1, Math.min(channels, concurrency)) },
  (_, index) => new OrderService(address, grpc.credentials.createInsecure(), { 'oms.bench.channel': index }),
);
await Promise.all(
  clients.map((client) => new Promise((resolve, reject) => client.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())))),
);

const run = randomUUID().slice(0, 8);
let sequence = 0;
const latencies = [];
const errors = {};
const deadline = Date.now() + seconds * 1000;

function createOnce(client) {
  sequence += 1;
  const metadata = new grpc.Metadata();
  metadata.set('idempotency-key', `bench-grpc-${run}-${sequence}`);
  const started = performance.now();
  return new Promise((resolve) => {
    client.CreateOrder(orderRequest(`customer-${sequence % 1000}`), metadata, { deadline: Date.now() + 10_000 }, (error) => {
      if (error) errors[grpc.status[error.code] ?? error.code] = (errors[grpc.status[error.code] ?? error.code] ?? 0) + 1;
      else latencies.push(performance.now() - started);
      resolve();
    });
  });
}

const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async (_, worker) => {
    const client = clients[worker % clients.length];
    while (Date.now() < deadline) await createOnce(client);
  }),
);
const elapsed = (performance.now() - started) / 1000;
for (const client of clients) client.close();

const errorCount = Object.values(errors).reduce((sum, count) => sum + count, 0);
printResult({
  concurrency,
  channels: clients.length,
  seconds: Number(elapsed.toFixed(2)),
  calls: latencies.length + errorCount,
  callsPerSecond: Number((latencies.length / elapsed).toFixed(1)),
  ok: latencies.length,
  errors: errorCount,
  errorsByCode: errors,
  latencyMs: summarize(latencies),
});
