import { randomUUID } from 'node:crypto';
import { MessageRejectedError } from '@oms/domain';
import type { BrokerMessage, ConsumerHandle, FailurePolicy, HandlerFailure, MessageConsumer, MessagePublisher, ReceivedMessage } from '@oms/domain';
import type { TopicSpec } from '../topics';

/** One broker driver under test. `consumer.subscribe` twice with one groupId = two members of that group. */
export interface BrokerUnderTest {
  readonly publisher: MessagePublisher;
  readonly consumer: MessageConsumer;
  /** Stops whatever the factory started (connections, the broker itself). */
  cleanup(): Promise<void>;
}

/** Creates the driver with these topics present (a Kafka factory pre-creates them on the cluster). */
export type BrokerFactory = (topics: readonly TopicSpec[]) => Promise<BrokerUnderTest>;

export interface BrokerContractOptions {
  /** How long to wait for expected deliveries (default 10 s; a real cluster rebalances slower). */
  readonly deliveryTimeoutMs?: number;
  /** Jest timeout of each case (default 30 s). */
  readonly testTimeoutMs?: number;
  /** When the driver enforces a message size limit, the rejection case runs against it. */
  readonly maxMessageBytes?: number;
}

const PARTITIONS = 4;

/**
 * The behaviour every MessagePublisher / MessageConsumer driver must have. Each case uses
 * fresh topic and group names, so the suite can share one long-running cluster.
 */
export function describeMessageBrokerContract(name: string, factory: BrokerFactory, options: BrokerContractOptions = {}): void {
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
  const testTimeoutMs = options.testTimeoutMs ?? 30_000;

  describe(`MessageBroker contract: ${name}`, () => {
    let broker: BrokerUnderTest;
    let topic: string;
    let handles: ConsumerHandle[];

    const groupName = (label: string): string => `contract-${label}-${randomUUID()}`;
    const message = (key: string, value: string, headers: Record<string, string> = {}): BrokerMessage => ({
      topic,
      key,
      value,
      headers,
    });
    const subscribe = async (
      groupId: string,
      handle: (received: ReceivedMessage) => Promise<void>,
      onFailure?: FailurePolicy,
    ): Promise<ConsumerHandle> => {
      const subscription = await broker.consumer.subscribe({ groupId, topics: [topic], handle, ...(onFailure ? { onFailure } : {}) });
      handles.push(subscription);
      return subscription;
    };
    const eventually = (what: string, condition: () => boolean): Promise<void> =>
      waitUntil(what, condition, deliveryTimeoutMs);

    beforeEach(async () => {
      topic = `contract.${randomUUID()}`;
      handles = [];
      broker = await factory([{ name: topic, partitions: PARTITIONS, retentionMs: 60 * 60 * 1000 }]);
    }, testTimeoutMs);

    afterEach(async () => {
      await Promise.all(handles.map((handle) => handle.stop()));
      await broker.cleanup();
    }, testTimeoutMs);

    it(
      'delivers a published message with its key, value and headers',
      async () => {
        const received: ReceivedMessage[] = [];
        await subscribe(groupName('roundtrip'), async (m) => {
          received.push(m);
        });
        const headers = { ce_id: randomUUID(), ce_type: 'oms.order.v1.OrderPlaced', traceparent: '00-abc-def-01' };
        await broker.publisher.publish([message('order-1', '{"hello":"wörld"}', headers)]);

        await eventually('the message arrives', () => received.length >= 1);
        expect(received).toHaveLength(1);
        const [got] = received;
        expect(got.topic).toBe(topic);
        expect(got.key).toBe('order-1');
        expect(got.value).toBe('{"hello":"wörld"}');
        expect(got.headers).toEqual(headers);
        expect(Number.isInteger(got.partition) && got.partition >= 0 && got.partition < PARTITIONS).toBe(true);
        expect(got.offset).toMatch(/^\d+$/);
      },
      testTimeoutMs,
    );

    it(
      'keeps the publication order of each key across many keys and batches',
      async () => {
        const keys = Array.from({ length: 24 }, (_, i) => `order-${i}`);
        const perKey = 8;
        const seen = new Map<string, number[]>();
        const partitionOfKey = new Map<string, Set<number>>();
        let total = 0;
        await subscribe(groupName('order'), async (m) => {
          const [, seq] = m.value.split(':');
          seen.set(m.key, [...(seen.get(m.key) ?? []), Number(seq)]);
          partitionOfKey.set(m.key, (partitionOfKey.get(m.key) ?? new Set()).add(m.partition));
          total++;
        });
        // Interleaved keys; several messages of one key inside one publish call as well as across calls.
        for (let round = 0; round < perKey; round += 2) {
          await broker.publisher.publish(
            keys.flatMap((key) => [message(key, `${key}:${round}`), message(key, `${key}:${round + 1}`)]),
          );
        }

        await eventually('every message arrives', () => total >= keys.length * perKey);
        const expected = Array.from({ length: perKey }, (_, i) => i);
        for (const key of keys) {
          expect({ key, seq: seen.get(key) }).toEqual({ key, seq: expected });
          expect(partitionOfKey.get(key)?.size).toBe(1);
        }
        expect(total).toBe(keys.length * perKey);
      },
      testTimeoutMs,
    );

    it(
      'redelivers a message whose handler failed, before any later message of its key',
      async () => {
        const attempts: string[] = [];
        const handled: string[] = [];
        let failedOnce = false;
        await subscribe(groupName('retry'), async (m) => {
          attempts.push(m.value);
          if (m.value === 'b' && !failedOnce) {
            failedOnce = true;
            throw new Error('handler failure injected by the contract test');
          }
          handled.push(m.value);
        });
        await broker.publisher.publish([message('order-x', 'a'), message('order-x', 'b'), message('order-x', 'c')]);

        await eventually('all three are handled', () => handled.length >= 3);
        expect(handled).toEqual(['a', 'b', 'c']);
        expect(attempts.filter((value) => value === 'b')).toHaveLength(2);
        expect(attempts.indexOf('c')).toBeGreaterThan(attempts.lastIndexOf('b'));
      },
      testTimeoutMs,
    );

    it(
      'dead-letters a message whose handler keeps failing after maxRetries retries; the next message of its key is handled and the commit point passes it',
      async () => {
        const groupId = groupName('poison');
        const attempts: string[] = [];
        const handled: string[] = [];
        const deadLettered: { value: string; offset: string; failure: HandlerFailure; handledBefore: string[] }[] = [];
        const policy: FailurePolicy = {
          maxRetries: 2,
          isUnavailable: () => false,
          deadLetter: async (m, failure) => void deadLettered.push({ value: m.value, offset: m.offset, failure, handledBefore: [...handled] }),
        };
        const first = await subscribe(
          groupId,
          async (m) => {
            attempts.push(m.value);
            if (m.value === 'poison') throw new Error(`poison attempt ${attempts.filter((v) => v === 'poison').length}`);
            handled.push(m.value);
          },
          policy,
        );
        await broker.publisher.publish([message('order-p', 'before'), message('order-p', 'poison'), message('order-p', 'after')]);

        await eventually('the message after the poison one is handled', () => handled.includes('after'));
        expect(attempts.filter((value) => value === 'poison')).toHaveLength(3);
        expect(deadLettered).toHaveLength(1);
        expect(deadLettered[0]).toMatchObject({ value: 'poison', handledBefore: ['before'], failure: { retries: 2 } });
        expect((deadLettered[0].failure.error as Error).message).toBe('poison attempt 3');
        expect(handled).toEqual(['before', 'after']);
        expect(attempts.indexOf('after')).toBeGreaterThan(attempts.lastIndexOf('poison'));
        await first.stop();

        // The group's commit point is past all three: a new member of the group gets only what comes next.
        const later: string[] = [];
        await subscribe(groupId, async (m) => void later.push(m.value), policy);
        await broker.publisher.publish([message('order-p', 'next')]);
        await eventually('the next message arrives', () => later.includes('next'));
        expect(later).toEqual(['next']);
        expect(deadLettered).toHaveLength(1);
      },
      testTimeoutMs,
    );

    it(
      'retries a message while its handler fails for an unavailability, without counting towards dead-lettering',
      async () => {
        const outage = Object.assign(new Error('database unreachable'), { unavailable: true });
        let outageAttempts = 0;
        const handled: string[] = [];
        const deadLettered: string[] = [];
        await subscribe(
          groupName('outage'),
          async (m) => {
            if (m.value === 'during-outage' && outageAttempts < 5) {
              outageAttempts++;
              throw outage;
            }
            handled.push(m.value);
          },
          {
            maxRetries: 1,
            isUnavailable: (error) => (error as { unavailable?: boolean }).unavailable === true,
            deadLetter: async (m) => void deadLettered.push(m.value),
          },
        );
        await broker.publisher.publish([message('order-o', 'during-outage'), message('order-o', 'after-outage')]);

        await eventually('both are handled', () => handled.length >= 2);
        expect(outageAttempts).toBe(5);
        expect(handled).toEqual(['during-outage', 'after-outage']);
        expect(deadLettered).toEqual([]);
      },
      testTimeoutMs,
    );

    it(
      'keeps a poison message, and its key, in place while dead-lettering it fails',
      async () => {
        const handled: string[] = [];
        const deadLetterCalls: string[] = [];
        let dlqDown = true;
        await subscribe(
          groupName('dlq-down'),
          async (m) => {
            if (m.value === 'poison') throw new Error('always fails');
            handled.push(m.value);
          },
          {
            maxRetries: 0,
            isUnavailable: () => false,
            deadLetter: async (m) => {
              deadLetterCalls.push(m.value);
              if (dlqDown) throw new Error('dead-letter topic unreachable');
            },
          },
        );
        await broker.publisher.publish([message('order-d', 'poison'), message('order-d', 'after')]);

        await eventually('dead-lettering was tried twice', () => deadLetterCalls.length >= 2);
        expect(handled).toEqual([]);
        dlqDown = false;
        await eventually('the next message of the key is handled', () => handled.includes('after'));
        expect(deadLetterCalls.every((value) => value === 'poison')).toBe(true);
        expect(handled).toEqual(['after']);
      },
      testTimeoutMs,
    );

    it(
      'resumes a group after the last acknowledged message: not before it, not after it',
      async () => {
        const groupId = groupName('resume');
        const values = Array.from({ length: 10 }, (_, i) => `m${i}`);
        const firstRun: string[] = [];
        let poisonAttempts = 0;
        const first = await subscribe(groupId, async (m) => {
          if (m.value === 'm5') {
            poisonAttempts++;
            throw new Error('not acknowledged on purpose');
          }
          firstRun.push(m.value);
        });
        await broker.publisher.publish(values.map((value) => message('order-r', value)));
        await eventually('m0..m4 are acknowledged and m5 was attempted', () => firstRun.length === 5 && poisonAttempts >= 1);
        await first.stop();
        expect(firstRun).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);

        const secondRun: string[] = [];
        await subscribe(groupId, async (m) => {
          secondRun.push(m.value);
        });
        await eventually('m5..m9 arrive', () => secondRun.length >= 5);
        expect(secondRun).toEqual(['m5', 'm6', 'm7', 'm8', 'm9']);
      },
      testTimeoutMs,
    );

    it(
      'stop() waits for the in-flight message, whose offset is then committed',
      async () => {
        const groupId = groupName('inflight');
        let release!: () => void;
        const blocked = new Promise<void>((resolve) => (release = resolve));
        let started = false;
        let finished = false;
        const consumer = await subscribe(groupId, async (m) => {
          if (m.value !== 'slow') return;
          started = true;
          await blocked;
          finished = true;
        });
        await broker.publisher.publish([message('order-s', 'slow'), message('order-s', 'next')]);
        await eventually('the slow message is in flight', () => started);

        let stopped = false;
        const stopping = consumer.stop().then(() => {
          stopped = true;
        });
        await settle();
        expect(stopped).toBe(false);
        release();
        await stopping;
        expect(finished).toBe(true);

        const later: string[] = [];
        await subscribe(groupId, async (m) => {
          later.push(m.value);
        });
        await eventually('the next message arrives', () => later.length >= 1);
        expect(later).toEqual(['next']);
      },
      testTimeoutMs,
    );

    it(
      'gives every group every message, also a group that subscribes after publication',
      async () => {
        const published = Array.from({ length: 20 }, (_, i) => message(`order-${i % 7}`, `v${i}`));
        const early: string[] = [];
        await subscribe(groupName('early'), async (m) => {
          early.push(m.value);
        });
        await broker.publisher.publish(published);
        await eventually('the early group has everything', () => early.length >= published.length);

        const late: string[] = [];
        await subscribe(groupName('late'), async (m) => {
          late.push(m.value);
        });
        await eventually('the late group has everything', () => late.length >= published.length);
        const expected = published.map((m) => m.value).sort();
        expect([...early].sort()).toEqual(expected);
        expect([...late].sort()).toEqual(expected);
      },
      testTimeoutMs,
    );

    it(
      'splits partitions between members of one group, each message seen once; a leaver hands over',
      async () => {
        const groupId = groupName('shared');
        const byMember: Array<Array<ReceivedMessage>> = [[], []];
        const handlerOf = (index: number) => async (m: ReceivedMessage) => {
          byMember[index].push(m);
        };
        const first = await subscribe(groupId, handlerOf(0));
        await subscribe(groupId, handlerOf(1));
        const wave1 = Array.from({ length: 40 }, (_, i) => message(`order-${i}`, `w1-${i}`));
        await broker.publisher.publish(wave1);
        const count = (): number => byMember[0].length + byMember[1].length;
        await eventually('the first wave arrives', () => count() >= wave1.length);

        const values = [...byMember[0], ...byMember[1]].map((m) => m.value);
        expect(values).toHaveLength(wave1.length);
        expect(new Set(values).size).toBe(wave1.length);
        expect(byMember[0].length).toBeGreaterThan(0);
        expect(byMember[1].length).toBeGreaterThan(0);

        await first.stop();
        const before = byMember[1].length;
        const wave2 = Array.from({ length: 40 }, (_, i) => message(`order-${i}`, `w2-${i}`));
        await broker.publisher.publish(wave2);
        const secondWaveValues = (): Set<string> =>
          new Set(byMember[1].slice(before).filter((m) => m.value.startsWith('w2-')).map((m) => m.value));
        // While the group rebalances after a leave, a message may come twice (at least once); none may be missing.
        await eventually('the remaining member gets the whole second wave', () => secondWaveValues().size >= wave2.length);
        expect([...secondWaveValues()].sort()).toEqual(wave2.map((m) => m.value).sort());
        const secondWave = byMember[1].slice(before).filter((m) => m.value.startsWith('w2-'));
        expect(new Set(secondWave.map((m) => m.partition)).size).toBe(PARTITIONS);
      },
      testTimeoutMs,
    );

    if (options.maxMessageBytes !== undefined) {
      const limit = options.maxMessageBytes;
      it(
        'rejects a message above the size limit with MessageRejectedError and never delivers it',
        async () => {
          const received: string[] = [];
          await subscribe(groupName('too-large'), async (m) => {
            received.push(m.value);
          });
          const publishing = broker.publisher.publish([message('order-big', 'x'.repeat(limit + 1))]);
          await expect(publishing).rejects.toBeInstanceOf(MessageRejectedError);
          await broker.publisher.publish([message('order-small', 'small')]);
          await eventually('the small message arrives', () => received.length >= 1);
          expect(received).toEqual(['small']);
        },
        testTimeoutMs,
      );
    }
  });
}

async function waitUntil(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lets pending callbacks and I/O run, so a promise that could resolve now has resolved. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
