import { randomUUID } from 'node:crypto';
import { Clock, outboxPartition, type Outbox, type OutboxMessage } from '@oms/domain';
import { MemoryBroker } from '@oms/messaging';
import { createMemoryDrivers } from '@oms/storage';
import { DEAD_LETTER_HEADERS } from './dead-letter';
import { OutboxRelay, type OutboxRelayDeps, type RelayLogger } from './outbox-relay';
import { OutboxSignal } from './outbox-signal';
import type { RelayOptions } from './relay.options';
import { RelayTracing, type PublishTrace } from './relay.tracing';
import { ControlledPublisher, RecordingMetrics } from './testing';

const TOPIC = 'oms.order.events';
const DLQ = 'oms.dlq';
const PARTITIONS = 4;

const baseOptions: RelayOptions = {
  partitions: PARTITIONS,
  batchSize: 5,
  pollIntervalMs: 5,
  retryDelayMs: 1,
  maxRetryDelayMs: 4,
  maxAttempts: 3,
  retentionMs: 60 * 60 * 1000,
  pruneIntervalMs: 60 * 60 * 1000,
  pruneBatchSize: 100,
  statsIntervalMs: 60 * 60 * 1000,
  deadLetterTopic: DLQ,
};

class TestClock extends Clock {
  constructor(public ms = Date.parse('2026-01-01T00:00:00Z')) {
    super();
  }
  now(): Date {
    return new Date(this.ms);
  }
}

const silentLogger: RelayLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A key other than `key` that lands in the same outbox partition. */
function neighbourOf(key: string): string {
  for (let i = 0; ; i++) {
    const candidate = `neighbour-${i}`;
    if (outboxPartition(candidate, PARTITIONS) === outboxPartition(key, PARTITIONS)) return candidate;
  }
}

/** A key in a different outbox partition than `key`. */
function strangerOf(key: string): string {
  for (let i = 0; ; i++) {
    const candidate = `stranger-${i}`;
    if (outboxPartition(candidate, PARTITIONS) !== outboxPartition(key, PARTITIONS)) return candidate;
  }
}

function setup(options: Partial<RelayOptions> = {}, deps: Partial<OutboxRelayDeps> = {}) {
  const clock = new TestClock();
  const drivers = createMemoryDrivers({ partitions: PARTITIONS, clock });
  const broker = new MemoryBroker();
  const publisher = new ControlledPublisher(broker);
  const metrics = new RecordingMetrics();
  const outbox: Outbox = deps.outbox ?? drivers.outbox;
  const relay = new OutboxRelay({
    outbox,
    publisher,
    options: { ...baseOptions, ...options },
    metrics,
    clock,
    logger: silentLogger,
    random: () => 0.5,
    ...deps,
  });

  const message = (key: string, value: string): OutboxMessage => {
    const messageId = randomUUID();
    return { messageId, topic: TOPIC, key, payload: value, headers: { ce_id: messageId, ce_subject: key } };
  };
  /** Commits one outbox row per value, in order (ids increase). */
  const commit = async (key: string, ...values: string[]): Promise<void> => {
    await drivers.unitOfWork.commit({ outbox: values.map((value) => message(key, value)) }, clock.now());
  };
  /** Values of `key` as they reached the topic, in offset order. */
  const delivered = (key: string, topic = TOPIC): string[] =>
    broker
      .messages(topic)
      .filter((m) => m.key === key)
      .sort((a, b) => Number(a.offset) - Number(b.offset))
      .map((m) => m.value);
  const pending = async (): Promise<number> => (await drivers.outbox.stats()).pending;

  return { clock, drivers, broker, publisher, metrics, relay, commit, delivered, pending };
}

describe('OutboxRelay', () => {
  let stopAfter: OutboxRelay[] = [];
  const started = (relay: OutboxRelay): OutboxRelay => {
    stopAfter.push(relay);
    relay.start();
    return relay;
  };

  afterEach(async () => {
    await Promise.all(stopAfter.map((relay) => relay.stop()));
    stopAfter = [];
  });

  it('publishes every row with its key, payload and headers, keeping each key in order across batches', async () => {
    const t = setup({ batchSize: 5 });
    const keys = ['order-a', 'order-b', 'order-c', 'order-d', 'order-e', 'order-f'];
    for (let seq = 0; seq < 10; seq++) {
      for (const key of keys) await t.commit(key, `${key}#${seq}`);
    }
    started(t.relay);

    await until('the outbox is empty', async () => (await t.pending()) === 0);
    for (const key of keys) {
      expect(t.delivered(key)).toEqual(Array.from({ length: 10 }, (_, seq) => `${key}#${seq}`));
    }
    const one = t.broker.messages(TOPIC)[0];
    expect(one.headers['ce_subject']).toBe(one.key);
    expect(one.headers['ce_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.metrics.publishedTotal).toBe(60);
    // Batches of at most batchSize rows: a partition never sends more than that at once.
    expect(Math.max(...t.publisher.calls.map((call) => call.length))).toBeLessThanOrEqual(5);
    expect(t.broker.messages(DLQ)).toEqual([]);
  });

  it('sends a healthy round of many partitions in one publish call, rows in id order', async () => {
    const t = setup({ batchSize: 100 });
    const keys = ['order-a', 'order-b', strangerOf('order-a'), 'order-c', 'order-d'];
    for (let seq = 0; seq < 4; seq++) for (const key of keys) await t.commit(key, `${key}#${seq}`);
    const partitions = new Set(keys.map((key) => outboxPartition(key, PARTITIONS)));
    expect(partitions.size).toBeGreaterThan(1);

    started(t.relay);
    await until('the outbox is empty', async () => (await t.pending()) === 0);

    expect(t.publisher.calls).toHaveLength(1);
    expect(t.publisher.calls[0].map((m) => m.value)).toEqual(Array.from({ length: 4 }, (_, seq) => keys.map((key) => `${key}#${seq}`)).flat());
  });

  it('blocks only the failing partition: later rows there wait, other partitions flow, order survives', async () => {
    const t = setup();
    const stuck = 'order-stuck';
    const neighbour = neighbourOf(stuck);
    const stranger = strangerOf(stuck);
    t.publisher.failOutage = (m) => m.key === stuck;

    await t.commit(neighbour, 'n1');
    await t.commit(stranger, 'x1');
    started(t.relay);
    await until('the first rows are published', () => t.delivered(neighbour).length === 1 && t.delivered(stranger).length === 1);

    await t.commit(stuck, 's1');
    await t.commit(neighbour, 'n2');
    await t.commit(stranger, 'x2');
    await until('the other partition is published', () => t.delivered(stranger).length === 2);
    await until('the stuck row was retried a few times', () =>
      t.publisher.calls.filter((call) => call.some((m) => m.key === stuck)).length >= 3,
    );
    expect(t.delivered(neighbour)).toEqual(['n1']);
    expect(t.delivered(stuck)).toEqual([]);
    expect(t.metrics.attempts.failed).toBeGreaterThanOrEqual(3);

    t.publisher.failOutage = () => false;
    await until('everything is published', async () => (await t.pending()) === 0);
    expect(t.delivered(stuck)).toEqual(['s1']);
    expect(t.delivered(neighbour)).toEqual(['n1', 'n2']);
    expect(t.delivered(stranger)).toEqual(['x1', 'x2']);
  });

  it('retries a broker outage without counting attempts: nothing dead-lettered, everything delivered after recovery', async () => {
    const t = setup({ maxAttempts: 2 });
    t.publisher.down = true;
    await t.commit('order-1', 'a', 'b', 'c');
    await t.commit('order-2', 'a', 'b');
    started(t.relay);

    await until('many failed publish calls (far beyond maxAttempts)', () => t.metrics.attempts.failed >= 12);
    expect(t.broker.messages(TOPIC)).toEqual([]);
    expect(t.broker.messages(DLQ)).toEqual([]);
    const rows = await t.drivers.outbox.fetchPending([0, 1, 2, 3], 100);
    expect(rows.map((row) => row.attempts)).toEqual([0, 0, 0, 0, 0]);

    t.publisher.down = false;
    await until('everything is published', async () => (await t.pending()) === 0);
    expect(t.delivered('order-1')).toEqual(['a', 'b', 'c']);
    expect(t.delivered('order-2')).toEqual(['a', 'b']);
    expect(t.broker.messages(DLQ)).toEqual([]);
    expect(t.metrics.deadLetteredTotal).toBe(0);
  });

  it('dead-letters a refused row after maxAttempts, with error headers, and then delivers the rows behind it', async () => {
    const t = setup({ maxAttempts: 3 });
    const key = 'order-poison';
    const neighbour = neighbourOf(key);
    t.publisher.refuse = (m) => m.topic === TOPIC && m.value === 'poison';
    await t.commit(key, 'a', 'poison', 'c');
    await t.commit(neighbour, 'n1');
    started(t.relay);

    await until('the outbox is empty', async () => (await t.pending()) === 0);
    expect(t.delivered(key)).toEqual(['a', 'c']);
    expect(t.delivered(neighbour)).toEqual(['n1']);

    const dead = t.broker.messages(DLQ);
    expect(dead).toHaveLength(1);
    expect(dead[0].key).toBe(key);
    expect(dead[0].value).toBe('poison');
    expect(dead[0].headers).toMatchObject({
      ce_subject: key,
      [DEAD_LETTER_HEADERS.originalTopic]: TOPIC,
      [DEAD_LETTER_HEADERS.attempts]: '3',
      [DEAD_LETTER_HEADERS.source]: 'outbox-relay',
      [DEAD_LETTER_HEADERS.failedAt]: t.clock.now().toISOString(),
      // The Go OMS's four headers, which its consumers and runbooks read on every letter.
      'x-retry-count': '2',
      'x-original-topic': TOPIC,
      'x-failed-at': t.clock.now().toISOString(),
    });
    expect(dead[0].headers['x-error-message']).toContain('refused (simulated)');
    expect(dead[0].headers[DEAD_LETTER_HEADERS.reason]).toContain('refused (simulated)');
    expect(dead[0].headers[DEAD_LETTER_HEADERS.messageId]).toBe(dead[0].headers['ce_id']);
    // Exactly maxAttempts publishes of the poison row were refused; it is never fetched again.
    const poisonCalls = t.publisher.calls.filter((call) => call.some((m) => m.topic === TOPIC && m.value === 'poison'));
    expect(poisonCalls.length).toBeGreaterThanOrEqual(3);
    expect(t.metrics.deadLetteredTotal).toBe(1);
    expect(await t.drivers.outbox.fetchPending([0, 1, 2, 3], 100)).toEqual([]);
  });

  it('dead-letters without the payload when the dead-letter topic refuses the payload too', async () => {
    const t = setup({ maxAttempts: 1 });
    t.publisher.refuse = (m) => m.value === 'huge';
    await t.commit('order-huge', 'huge', 'after');
    started(t.relay);

    await until('the outbox is empty', async () => (await t.pending()) === 0);
    const dead = t.broker.messages(DLQ);
    expect(dead).toHaveLength(1);
    expect(dead[0].value).toBe('');
    expect(dead[0].headers[DEAD_LETTER_HEADERS.payloadOmitted]).toBe('true');
    expect(t.delivered('order-huge')).toEqual(['after']);
  });

  it('keeps a refused row (and its partition) waiting while the dead-letter topic is unavailable', async () => {
    const t = setup({ maxAttempts: 1 });
    t.publisher.refuse = (m) => m.topic === TOPIC && m.value === 'poison';
    t.publisher.failOutage = (m) => m.topic === DLQ;
    await t.commit('order-p', 'poison', 'after');
    started(t.relay);

    await until('several dead-letter attempts', () => t.publisher.calls.filter((c) => c[0].topic === DLQ).length >= 3);
    expect(t.delivered('order-p')).toEqual([]);
    expect(await t.pending()).toBe(2);

    t.publisher.failOutage = () => false;
    await until('the outbox is empty', async () => (await t.pending()) === 0);
    expect(t.delivered('order-p')).toEqual(['after']);
    expect(t.broker.messages(DLQ).map((m) => m.value)).toEqual(['poison']);
  });

  it('stop() lets the in-flight batch finish and mark its rows sent, and publishes nothing after', async () => {
    const t = setup({ batchSize: 3 });
    await t.commit('order-1', 'a', 'b', 'c', 'd', 'e', 'f');
    t.publisher.hold();
    started(t.relay);
    await until('a batch is in flight', () => t.publisher.inFlight === 1);

    let stopped = false;
    const stopping = t.relay.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    t.publisher.release();
    await stopping;

    expect(t.relay.isRunning).toBe(false);
    expect(t.delivered('order-1')).toEqual(['a', 'b', 'c']);
    expect(await t.pending()).toBe(3);
    expect(t.publisher.calls).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.publisher.calls).toHaveLength(1);
  });

  it('publishes at once on OutboxSignal.notify() instead of waiting for the poll interval', async () => {
    const signal = new OutboxSignal();
    const t = setup({ pollIntervalMs: 60 * 60 * 1000 }, { signal });
    started(t.relay);
    await until('the first (empty) round ran', () => t.relay.isRunning);
    await settle();

    await t.commit('order-n', 'one');
    signal.notify();
    await until('the row is published', () => t.delivered('order-n').length === 1, 2000);
    expect(t.delivered('order-n')).toEqual(['one']);
  });

  describe('rounds woken by commits, spaced by minRoundIntervalMs', () => {
    /** The outbox with the start time of every fresh scan (afterId 0) the relay makes. */
    const timedScans = (outbox: Outbox) => {
      const scans: number[] = [];
      const spy: Outbox = Object.assign(Object.create(outbox) as Outbox, {
        fetchPending: (partitions: readonly number[], limit: number, afterId?: number) => {
          if (!afterId) scans.push(performance.now());
          return outbox.fetchPending(partitions, limit, afterId);
        },
      });
      return { spy, scans };
    };

    it('takes the commits signalled soon after a round in ONE round, started no sooner than the interval', async () => {
      const signal = new OutboxSignal();
      const t = setup();
      const { spy, scans } = timedScans(t.drivers.outbox);
      const relay = new OutboxRelay({
        outbox: spy,
        publisher: t.publisher,
        options: { ...baseOptions, pollIntervalMs: 60 * 60 * 1000, minRoundIntervalMs: 1_500 },
        signal,
        logger: silentLogger,
      });
      started(relay);
      await until('the first (empty) round ran', () => scans.length === 1);
      await settle();

      for (const value of ['one', 'two', 'three']) {
        await t.commit('order-w', value);
        signal.notify();
      }
      await until('the rows are published', () => t.delivered('order-w').length === 3);
      expect(t.delivered('order-w')).toEqual(['one', 'two', 'three']);
      expect(scans).toHaveLength(2);
      expect(scans[1] - scans[0]).toBeGreaterThanOrEqual(1_495); // timers may fire a millisecond early
      expect(t.publisher.calls).toHaveLength(1);
      // The signals that arrived before the second scan started were covered by it: no third round.
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      expect(scans).toHaveLength(2);
    }, 20_000);

    it('goes through a backlog round after round without spacing them', async () => {
      const t = setup({ batchSize: 5, pollIntervalMs: 60 * 60 * 1000, minRoundIntervalMs: 60_000 });
      for (let seq = 0; seq < 12; seq++) await t.commit('order-b', `b#${seq}`);
      started(t.relay);
      await until('the backlog is published', () => t.delivered('order-b').length === 12);
      expect(t.publisher.calls.length).toBeGreaterThanOrEqual(3);
    });

    it('stops at once while waiting out the interval', async () => {
      const signal = new OutboxSignal();
      const t = setup({ pollIntervalMs: 60 * 60 * 1000, minRoundIntervalMs: 60_000 }, { signal });
      started(t.relay);
      await settle();
      await t.commit('order-s', 'one');
      signal.notify();
      await settle();
      const stopping = Date.now();
      await t.relay.stop();
      expect(Date.now() - stopping).toBeLessThan(4_000); // not the minute of the interval (jest gives up at 5 s)
      expect(t.delivered('order-s')).toEqual([]);
    });
  });

  it('does not pick rows up before the poll interval when nobody signals', async () => {
    const t = setup({ pollIntervalMs: 60 * 60 * 1000 });
    started(t.relay);
    await settle();
    await t.commit('order-q', 'one');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(t.delivered('order-q')).toEqual([]);
  });

  it('deletes each row as it is published when the retention is 0, and marks it sent otherwise', async () => {
    for (const retentionMs of [0, 60_000]) {
      const t = setup({ retentionMs, batchSize: 3 });
      for (let seq = 0; seq < 7; seq++) await t.commit('order-a', `a#${seq}`);
      started(t.relay);
      await until('the outbox is empty', async () => (await t.pending()) === 0);
      expect(t.delivered('order-a')).toEqual(Array.from({ length: 7 }, (_, seq) => `a#${seq}`));
      // Kept as sent for the retention, or gone at once (nothing left for the prune).
      await expect(t.drivers.outbox.pruneSent(new Date(t.clock.ms + 1), 100)).resolves.toBe(retentionMs > 0 ? 7 : 0);
    }
  });

  it('prunes sent rows older than the retention and reports pending rows and the oldest age', async () => {
    const t = setup({ retentionMs: 1000, pruneIntervalMs: 1, statsIntervalMs: 1, pruneBatchSize: 2 });
    const pruned: number[] = [];
    const outbox = t.drivers.outbox;
    const spy: Outbox = Object.assign(Object.create(outbox) as Outbox, {
      pruneSent: async (before: Date, limit: number) => {
        const deleted = await outbox.pruneSent(before, limit);
        pruned.push(deleted);
        return deleted;
      },
    });
    const relay = new OutboxRelay({
      outbox: spy,
      publisher: t.publisher,
      options: { ...baseOptions, retentionMs: 1000, pruneIntervalMs: 1, statsIntervalMs: 1, pruneBatchSize: 2 },
      metrics: t.metrics,
      clock: t.clock,
      logger: silentLogger,
    });
    t.publisher.failOutage = (m) => m.key === 'order-late';
    await t.commit('order-old', 'a', 'b', 'c', 'd', 'e');
    await t.commit('order-late', 'x');
    t.clock.ms += 30_000;
    started(relay);

    await until('the five rows are sent', () => t.delivered('order-old').length === 5);
    await until('the pending gauge shows the stuck row', () => t.metrics.pending === 1);
    expect(t.metrics.oldestAgeSeconds).toBe(30);
    expect(pruned.reduce((sum, n) => sum + n, 0)).toBe(0);

    t.clock.ms += 2000;
    await until('the sent rows are pruned', () => pruned.reduce((sum, n) => sum + n, 0) === 5);
    expect(await t.pending()).toBe(1);
  });

  it('survives a storage failure: published rows are sent again (at least once), none lost', async () => {
    const t = setup();
    const outbox = t.drivers.outbox;
    let failMarkSent = 1;
    const flaky: Outbox = Object.assign(Object.create(outbox) as Outbox, {
      markSent: async (ids: readonly number[]) => {
        if (failMarkSent-- > 0) throw new Error('connection reset (simulated)');
        return outbox.markSent(ids);
      },
    });
    const relay = new OutboxRelay({
      outbox: flaky,
      publisher: t.publisher,
      options: baseOptions,
      metrics: t.metrics,
      clock: t.clock,
      logger: silentLogger,
    });
    await t.commit('order-1', 'a', 'b');
    started(relay);

    await until('the outbox is empty', async () => (await t.pending()) === 0);
    expect(t.delivered('order-1')).toEqual(['a', 'b', 'a', 'b']);
  });

  it('fetches the next round of a backlog above the last id of the round in flight, and keeps order when a partition fails', async () => {
    const t = setup({ batchSize: 4 });
    const fetches: (number | undefined)[] = [];
    const outbox = t.drivers.outbox;
    const watched: Outbox = Object.assign(Object.create(outbox) as Outbox, {
      fetchPending: (partitions: readonly number[], limit: number, afterId?: number) => {
        fetches.push(afterId);
        return outbox.fetchPending(partitions, limit, afterId);
      },
    });
    const stuck = 'order-stuck';
    const neighbour = neighbourOf(stuck);
    const keys = [stuck, neighbour, strangerOf(stuck), 'order-x'];
    for (let seq = 0; seq < 6; seq++) for (const key of keys) await t.commit(key, `${key}#${seq}`);
    let failures = 3;
    t.publisher.failOutage = (m) => m.key === stuck && m.value === `${stuck}#3` && failures-- > 0;
    started(new OutboxRelay({ outbox: watched, publisher: t.publisher, options: { ...baseOptions, batchSize: 4 }, logger: silentLogger }));

    await until('the outbox is empty', async () => (await t.pending()) === 0);
    for (const key of keys) expect(t.delivered(key)).toEqual(Array.from({ length: 6 }, (_, seq) => `${key}#${seq}`));
    // Full rounds prefetch above the round in flight; a blocked partition sends the relay back to a scan from the start.
    expect(fetches.filter((afterId) => afterId !== undefined && afterId > 0).length).toBeGreaterThan(0);
    expect(fetches.filter((afterId) => afterId === undefined).length).toBeGreaterThan(1);
  });

  it('publishes a row that becomes visible below the cursor of a backlog, at the next scan from the start', async () => {
    const t = setup({ batchSize: 2 });
    const outbox = t.drivers.outbox;
    let hiddenId = -1;
    // Stands in for a transaction that took its id early and commits while later rows go out.
    const lateCommit: Outbox = Object.assign(Object.create(outbox) as Outbox, {
      fetchPending: async (partitions: readonly number[], limit: number, afterId?: number) =>
        (await outbox.fetchPending(partitions, limit + 1, afterId)).filter((row) => row.id !== hiddenId).slice(0, limit),
    });
    await t.commit('order-late', 'late');
    hiddenId = (await outbox.fetchPending([0, 1, 2, 3], 1))[0]?.id ?? -1;
    for (let seq = 0; seq < 8; seq++) await t.commit(`order-${seq}`, `v${seq}`);
    started(new OutboxRelay({ outbox: lateCommit, publisher: t.publisher, options: { ...baseOptions, batchSize: 2 }, logger: silentLogger }));
    await until('the visible rows are published', () => t.broker.messages(TOPIC).length === 8);
    expect(t.delivered('order-late')).toEqual([]);

    hiddenId = -1;
    await until('the late row is published', () => t.delivered('order-late').length === 1, 3_000);
    expect(t.broker.messages(TOPIC)).toHaveLength(9);
  });

  it('only fetches the partitions its assignment owns', async () => {
    const t = setup();
    const mine = 'order-mine';
    const other = strangerOf(mine);
    const relay = new OutboxRelay({
      outbox: t.drivers.outbox,
      publisher: t.publisher,
      options: baseOptions,
      logger: silentLogger,
      assignment: {
        owned: async () => [outboxPartition(mine, PARTITIONS)],
        release: async () => undefined,
      },
    });
    await t.commit(mine, 'm');
    await t.commit(other, 'o');
    started(relay);
    await until('my row is published', () => t.delivered(mine).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.delivered(other)).toEqual([]);
  });

  it('wakes up when its assignment reports a change, without waiting for the next poll', async () => {
    const t = setup({ pollIntervalMs: 60 * 60 * 1000 });
    const key = 'order-moved';
    let owned: number[] = [];
    const listeners = new Set<() => void>();
    const relay = new OutboxRelay({
      outbox: t.drivers.outbox,
      publisher: t.publisher,
      options: { ...baseOptions, pollIntervalMs: 60 * 60 * 1000 },
      logger: silentLogger,
      assignment: {
        owned: async () => owned,
        release: async () => undefined,
        onChange: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    });
    await t.commit(key, 'k1');
    started(relay);
    await settle();
    expect(listeners.size).toBe(1);
    expect(t.delivered(key)).toEqual([]); // nothing owned yet, and the next poll is an hour away

    owned = [outboxPartition(key, PARTITIONS)];
    for (const listener of listeners) listener();
    await until('the row of the newly owned partition is published', () => t.delivered(key).length === 1);
    await relay.stop();
    expect(listeners.size).toBe(0);
  });

  it('sends the headers of each row\'s publish span and ends every span, failed ones with the error', async () => {
    const ended: Array<{ key: string; error: unknown }> = [];
    class RecordingTracing extends RelayTracing {
      publishing(row: { key: string; id: number; headers: Readonly<Record<string, string>> }): PublishTrace {
        return {
          headers: { ...row.headers, traceparent: `span-of-${row.id}` },
          end: (error?: unknown) => ended.push({ key: row.key, error }),
        };
      }
    }
    const t = setup({}, { tracing: new RecordingTracing() });
    let failOnce = true;
    t.publisher.failOutage = (m) => {
      if (m.key !== 'order-t' || !failOnce) return false;
      failOnce = false;
      return true;
    };
    await t.commit('order-t', 'one');
    started(t.relay);

    await until('the row is published', () => t.delivered('order-t').length === 1);
    const [published] = t.broker.messages(TOPIC);
    expect(published.headers['traceparent']).toMatch(/^span-of-\d+$/);
    expect(published.headers['ce_subject']).toBe('order-t');
    expect(ended).toHaveLength(2);
    expect(String(ended[0].error)).toContain('leader not available');
    expect(ended[1].error).toBeUndefined();
  });
});
