#!/usr/bin/env node
// The mock cluster as a consumer of Apache Kafka sees it: a waiting Fetch is answered when a
// message is produced, not when its wait ends (the proxy of libs/testing/src/kafka-proxy.testing.ts
// with longPollFetch; the README says why). Prints its bootstrap list as its first stdout line.
//   node tools/kafka-mock/long-poll-front.mjs HOST:PORT[,HOST:PORT...]
import { startKafkaProxy } from '../e2e/lib/oms-kafka.mjs';

const upstream = (process.argv[2] ?? '').split(',').filter(Boolean);
if (upstream.length === 0) {
  console.error('usage: node tools/kafka-mock/long-poll-front.mjs HOST:PORT[,HOST:PORT...] (the mock brokers)');
  process.exit(2);
}
const front = await startKafkaProxy({ upstream, longPollFetch: true });
console.log(front.brokers.join(','));

const stop = async () => {
  const { held, wokenByProduce } = front.longPolls();
  console.error(`long-poll front: ${front.connections()} connections, ${held} fetches held, ${wokenByProduce} produces woke them`);
  for (const problem of front.errors()) console.error(`long-poll front: ${problem}`);
  await front.stop();
  process.exit(front.errors().length === 0 ? 0 : 1);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
