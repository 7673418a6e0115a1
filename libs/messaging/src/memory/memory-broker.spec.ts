import { MessageRejectedError, type ReceivedMessage } from '@oms/domain';
import { describeMessageBrokerContract } from '../contract/message-broker.contract';
import { OMS_TOPICS } from '../topics';
import { MemoryBroker, UnknownTopicError } from './memory-broker';

describeMessageBrokerContract(
  'memory',
  async (topics) => {
    const broker = new MemoryBroker({ topics, redeliveryDelayMs: 5, maxMessageBytes: 4096 });
    return { publisher: broker, consumer: broker, cleanup: () => broker.close() };
  },
  { maxMessageBytes: 4096 },
);

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('MemoryBroker', () => {
  it('creates the OMS topics by default with their declared partitions', () => {
    const broker = new MemoryBroker();
    expect(broker.topicSpecs().map((t) => [t.name, t.partitions])).toEqual([
      ['oms.order.events', 12],
      ['oms.dlq', 3],
      ['oms.saga.events', 12],
    ]);
    expect(OMS_TOPICS.map((t) => t.name)).toEqual(['oms.order.events', 'oms.dlq', 'oms.saga.events']);
  });

  it('refuses an unknown topic on publish and subscribe with UnknownTopicError (an outage, not a rejection)', async () => {
    const broker = new MemoryBroker({ topics: [] });
    const publishing = broker.publish([{ topic: 'nope', key: 'k', value: 'v', headers: {} }]);
    await expect(publishing).rejects.toBeInstanceOf(UnknownTopicError);
    await expect(publishing).rejects.not.toBeInstanceOf(MessageRejectedError);
    await expect(broker.subscribe({ groupId: 'g', topics: ['nope'], handle: async () => undefined })).rejects.toThrow(
      'topic "nope" does not exist',
    );
  });

  it('writes nothing of a batch that contains a refused message', async () => {
    const broker = new MemoryBroker({ topics: [{ name: 't', partitions: 2, retentionMs: 1000 }], maxMessageBytes: 10 });
    await expect(
      broker.publish([
        { topic: 't', key: 'k', value: 'ok', headers: {} },
        { topic: 't', key: 'k', value: 'far too large', headers: {} },
      ]),
    ).rejects.toBeInstanceOf(MessageRejectedError);
    expect(broker.messages('t')).toEqual([]);
  });

  it('drops messages older than the topic retention; a new group starts at the earliest retained one', async () => {
    let now = 1_000_000;
    const broker = new MemoryBroker({ topics: [{ name: 't', partitions: 1, retentionMs: 1000 }], now: () => now });
    await broker.publish([{ topic: 't', key: 'k', value: 'old', headers: {} }]);
    now += 2000;
    await broker.publish([{ topic: 't', key: 'k', value: 'new', headers: {} }]);
    expect(broker.messages('t').map((m) => [m.value, m.offset])).toEqual([['new', '1']]);

    const seen: string[] = [];
    const handle = await broker.subscribe({ groupId: 'g', topics: ['t'], handle: async (m) => void seen.push(m.value) });
    await until(() => seen.length === 1);
    await handle.stop();
    expect(seen).toEqual(['new']);
  });

  it('hands an unacknowledged message to the member that takes over its partition', async () => {
    const broker = new MemoryBroker({ topics: [{ name: 't', partitions: 1, retentionMs: 60_000 }], redeliveryDelayMs: 1 });
    const failing = await broker.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async () => {
        throw new Error('always fails');
      },
    });
    const taken: ReceivedMessage[] = [];
    await broker.subscribe({ groupId: 'g', topics: ['t'], handle: async (m) => void taken.push(m) });
    await broker.publish([{ topic: 't', key: 'k', value: 'v', headers: {} }]);
    // One partition, two members: the first member owns it and keeps failing.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(taken).toEqual([]);
    await failing.stop();
    await until(() => taken.length === 1);
    expect(taken[0].value).toBe('v');
    await broker.close();
  });

  it('reports handler failures to onHandlerError and stops delivering after close()', async () => {
    const errors: unknown[] = [];
    const broker = new MemoryBroker({
      topics: [{ name: 't', partitions: 1, retentionMs: 60_000 }],
      redeliveryDelayMs: 1,
      onHandlerError: (error) => errors.push(error),
    });
    let calls = 0;
    await broker.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async () => {
        calls++;
        throw new Error(`failure ${calls}`);
      },
    });
    await broker.publish([{ topic: 't', key: 'k', value: 'v', headers: {} }]);
    await until(() => errors.length >= 2);
    await broker.close();
    const callsAtClose = calls;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(callsAtClose);
    expect((errors[0] as Error).message).toBe('failure 1');
    await expect(broker.publish([{ topic: 't', key: 'k', value: 'v', headers: {} }])).rejects.toThrow('closed');
    await expect(broker.ping()).rejects.toThrow('closed');
  });

  it('refuses to redeclare a topic with another partition count', () => {
    const broker = new MemoryBroker({ topics: [{ name: 't', partitions: 2, retentionMs: 1 }] });
    expect(() => broker.createTopic({ name: 't', partitions: 2, retentionMs: 1 })).not.toThrow();
    expect(() => broker.createTopic({ name: 't', partitions: 3, retentionMs: 1 })).toThrow('exists with 2 partitions');
    expect(() => broker.createTopic({ name: 'u', partitions: 0, retentionMs: 1 })).toThrow('positive integer');
  });
});
