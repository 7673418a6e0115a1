#!/usr/bin/env node
// Measures how long a message waits for an idle consumer of the mock broker, for each fetch wait
// (kafkajs maxWaitTimeInMs, OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT): sends N messages at random
// moments while a consumer waits, and reports the delay from send to delivery.
//   node tools/kafka-mock/fetch-wait-probe.mjs [N] [WAIT_MS,...] [--front]
// Apache Kafka answers a waiting Fetch as soon as a message arrives; librdkafka's mock answers
// only when the wait ends, so the delay is about half the wait. tools/bench/analysis.md cites this.
// --front: through the long-poll front the bench puts before the mock (long-poll-front.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Kafka, logLevel } = createRequire(join(root, 'package.json'))('kafkajs');
const front = process.argv.includes('--front');
const [countArg, waitsArg] = process.argv.slice(2).filter((arg) => arg !== '--front');
const count = Number(countArg ?? 20);
const waits = (waitsArg ?? '20,250,1000').split(',').map(Number);
const binary = join(mkdtempSync(join(tmpdir(), 'oms-fetch-wait-probe-')), 'kafka-mock');
execFileSync('sh', [join(root, 'tools/kafka-mock/build.sh'), binary], { stdio: ['ignore', 'ignore', 'inherit'] });
const mock = spawn(binary, ['probe:4'], { stdio: ['pipe', 'pipe', 'ignore'] });
const mockBrokers = await new Promise((done) => mock.stdout.once('data', (line) => done(line.toString().trim())));
const proxy = front ? await (await import('../e2e/lib/oms-kafka.mjs')).startKafkaProxy({ upstream: [mockBrokers], longPollFetch: true }) : null;
const brokers = proxy ? proxy.brokers[0] : mockBrokers;
const kafka = new Kafka({ clientId: 'oms-fetch-wait-probe', brokers: [brokers], logLevel: logLevel.NOTHING });
const pause = (ms) => new Promise((done) => setTimeout(done, ms));

const producer = kafka.producer();
await producer.connect();
for (const waitMs of waits) {
  const consumer = kafka.consumer({ groupId: `oms-fetch-wait-probe-${waitMs}`, maxWaitTimeInMs: waitMs });
  await consumer.connect();
  await consumer.subscribe({ topics: ['probe'], fromBeginning: false });
  const sentAt = new Map();
  const delays = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const sent = sentAt.get(message.value.toString());
      if (sent !== undefined) delays.push(performance.now() - sent);
    },
  });
  await pause(3_000); // joined, and its first fetch (at the latest offset) made
  for (let i = 0; i < count; i++) {
    await pause(50 + Math.random() * 300);
    const value = `${waitMs}-${i}`;
    sentAt.set(value, performance.now());
    await producer.send({ topic: 'probe', messages: [{ key: String(i), value }] });
  }
  await pause(waitMs * 2 + 1_000);
  await consumer.disconnect();
  delays.sort((a, b) => a - b);
  const at = (q) => Math.round(delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? NaN);
  console.log(JSON.stringify({ fetchWaitMs: waitMs, front, delivered: delays.length, sent: count, p50Ms: at(0.5), maxMs: at(1) }));
}
await producer.disconnect();
await proxy?.stop();
mock.kill('SIGTERM');
