import { randomUUID } from 'node:crypto';
import { loadConfig, type OmsConfig } from '@oms/config';
import { testKafka, type TestKafka } from '@oms/testing';
import { Partitioners, type Consumer } from 'kafkajs';
import { createKafkaClient } from './kafka-client';
import { KafkaGroupReader, type RawMessage } from './kafka-group-reader';

// The one-off group reader of operator commands (`migrator dlq reprocess`) against the
// Kafka-protocol test broker: ranges from the group's committed offsets, exact bytes, commits
// only when asked, and a clear failure while another member holds partitions.

jest.setTimeout(120_000);

let kafka: TestKafka;
let config: Pick<OmsConfig, 'broker'>;

beforeAll(async () => {
  kafka = await testKafka();
  config = loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: kafka.brokers.join(','), OMS_KAFKA_IDEMPOTENT: 'false' });
}, 60_000);

afterAll(async () => {
  await kafka?.stop();
});

async function freshTopic(partitions = 2): Promise<string> {
  const topic = `reader.${randomUUID()}`;
  if (kafka.mock) {
    await kafka.mock.createTopic(topic, partitions);
  } else {
    const admin = createKafkaClient(config).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    await admin.disconnect();
  }
  return topic;
}

/** Writes messages to chosen partitions, bytes as given. */
async function produce(topic: string, messages: { partition: number; key: Buffer; value: Buffer; headers?: Record<string, Buffer> }[]): Promise<void> {
  const producer = createKafkaClient(config).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

async function readAll(topic: string, groupId: string, fromBeginning = false) {
  const reader = await KafkaGroupReader.open(config, { topic, groupId, fromBeginning });
  try {
    return { ranges: reader.ranges, records: await reader.read() };
  } finally {
    await reader.close();
  }
}

const notUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0x41]);

it('reads every partition to the end seen at the start, bytes untouched, and commits only when asked', async () => {
  const topic = await freshTopic();
  const groupId = `reader-${randomUUID()}`;
  await produce(topic, [
    { partition: 0, key: Buffer.from('k-0'), value: Buffer.from('a'), headers: { ce_id: Buffer.from('e-a'), raw: notUtf8 } },
    { partition: 1, key: Buffer.from('k-1'), value: notUtf8 },
    { partition: 0, key: Buffer.from('k-0'), value: Buffer.from('b') },
  ]);

  const reader = await KafkaGroupReader.open(config, { topic, groupId, fromBeginning: false });
  await expect(reader.commit([{ partition: 0, offset: '1' }])).rejects.toThrow('needs a read() first');
  expect(reader.ranges).toEqual([
    { partition: 0, from: '0', end: '2' },
    { partition: 1, from: '0', end: '1' },
  ]);
  const records = await reader.read();
  expect(records.map((record) => [record.partition, record.offset, record.value?.toString('hex')])).toEqual([
    [0, '0', Buffer.from('a').toString('hex')],
    [0, '1', Buffer.from('b').toString('hex')],
    [1, '0', notUtf8.toString('hex')],
  ]);
  expect(records[0]?.key?.toString()).toBe('k-0');
  expect(records[0]?.headers['raw']?.equals(notUtf8)).toBe(true);
  expect(records[0]?.headers['ce_id']?.toString()).toBe('e-a');

  // Written elsewhere with exactly these bytes.
  const copy = await freshTopic(1);
  const copies: RawMessage[] = records.map((record) => ({ topic: copy, key: record.key, value: record.value, headers: record.headers }));
  await reader.publish(copies);
  await reader.publish([]);
  await reader.commit([{ partition: 0, offset: '1' }]);
  await reader.close();
  const copied = (await readAll(copy, `reader-${randomUUID()}`)).records;
  expect(copied.map((record) => record.value?.toString('hex'))).toEqual(records.map((record) => record.value?.toString('hex')));
  expect(copied[0]?.headers['raw']?.equals(notUtf8)).toBe(true);

  // The group starts where it committed: partition 0 after offset 0, partition 1 never committed.
  await produce(topic, [{ partition: 1, key: Buffer.from('k-1'), value: Buffer.from('c') }]);
  const next = await readAll(topic, groupId);
  expect(next.ranges).toEqual([
    { partition: 0, from: '1', end: '2' },
    { partition: 1, from: '0', end: '2' },
  ]);
  expect(next.records.map((record) => record.value?.toString('hex'))).toEqual(
    [Buffer.from('b'), notUtf8, Buffer.from('c')].map((value) => value.toString('hex')),
  );

  // --from-beginning ignores the committed offsets.
  expect((await readAll(topic, groupId, true)).records).toHaveLength(4);
});

it('reads nothing, and joins no group, when the group is at the end', async () => {
  const topic = await freshTopic(1);
  const groupId = `reader-${randomUUID()}`;
  await produce(topic, [{ partition: 0, key: Buffer.from('k'), value: Buffer.from('only') }]);
  const first = await KafkaGroupReader.open(config, { topic, groupId, fromBeginning: false });
  expect((await first.read()).map((record) => record.value?.toString())).toEqual(['only']);
  await first.commit([{ partition: 0, offset: '1' }]);
  await first.close();

  const again = await KafkaGroupReader.open(config, { topic, groupId, fromBeginning: false });
  expect(again.ranges).toEqual([{ partition: 0, from: '1', end: '1' }]);
  await expect(again.read()).resolves.toEqual([]);
  await expect(again.commit([])).resolves.toBeUndefined();
  await again.close();
});

it('fails with a clear message while another member of its group holds partitions', async () => {
  const topic = await freshTopic(2);
  const groupId = `reader-${randomUUID()}`;
  await produce(topic, [
    { partition: 0, key: Buffer.from('k-0'), value: Buffer.from('a') },
    { partition: 1, key: Buffer.from('k-1'), value: Buffer.from('b') },
  ]);
  // A member that holds on to what it is given and never commits.
  const other: Consumer = createKafkaClient(config).consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  const joined = new Promise<void>((resolve) => other.on(other.events.GROUP_JOIN, () => resolve()));
  await other.connect();
  await other.subscribe({ topics: [topic], fromBeginning: true });
  await other.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
  await joined;
  try {
    const reader = await KafkaGroupReader.open(config, { topic, groupId, fromBeginning: false, timeoutMs: 15_000 });
    try {
      await expect(reader.read()).rejects.toThrow(/did not reach the end of partition\(s\) .* within 15000 ms \(not assigned to this reader: is another member of group/);
    } finally {
      await reader.close();
    }
  } finally {
    await other.disconnect();
  }
});
