#!/usr/bin/env node
// Measures what one Fetch of the mock broker returns: produces N single-message sends to one
// partition, then consumes them from the start and counts the batches kafkajs receives.
//   node tools/kafka-mock/fetch-probe.mjs [N]
// Apache Kafka answers a Fetch with up to fetch.max.bytes of record batches; librdkafka's
// mock (2.0.x, as Debian ships it) answers with one record batch per partition, so a consumer
// of many small batches makes one round trip per batch. docs/benchmarks.md cites this figure.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Kafka, logLevel } = createRequire(join(root, 'package.json'))('kafkajs');
const count = Number(process.argv[2] ?? 500);
const binary = join(mkdtempSync(join(tmpdir(), 'oms-fetch-probe-')), 'kafka-mock');
execFileSync('sh', [join(root, 'tools/kafka-mock/build.sh'), binary], { stdio: ['ignore', 'ignore', 'inherit'] });
const mock = spawn(binary, ['probe:1'], { stdio: ['pipe', 'pipe', 'ignore'] });
const brokers = await new Promise((done) => mock.stdout.once('data', (line) => done(line.toString().trim())));
const kafka = new Kafka({ clientId: 'oms-fetch-probe', brokers: [brokers], logLevel: logLevel.NOTHING });

const producer = kafka.producer();
await producer.connect();
for (let i = 0; i < count; i++) await producer.send({ topic: 'probe', acks: -1, messages: [{ key: 'k', value: String(i) }] });
await producer.disconnect();

const consumer = kafka.consumer({ groupId: 'oms-fetch-probe', maxWaitTimeInMs: 250 });
await consumer.connect();
await consumer.subscribe({ topics: ['probe'], fromBeginning: true });
let messages = 0;
let batches = 0;
const started = performance.now();
await new Promise((done) => {
  void consumer.run({
    eachBatch: async ({ batch }) => {
      batches++;
      messages += batch.messages.length;
      if (messages >= count) done();
    },
  });
});
const ms = performance.now() - started;
await consumer.disconnect();
mock.kill('SIGTERM');
console.log(
  JSON.stringify({ sends: count, messages, fetchedBatches: batches, messagesPerBatch: Number((messages / batches).toFixed(2)), ms: Math.round(ms), msPerBatch: Number((ms / batches).toFixed(2)) }),
);
