import { loadConfig } from '@oms/config';
import type { GroupReadOptions, KafkaGroupReader, PartitionRange, RawMessage, RawRecord } from '@oms/messaging';
import { reprocessDlqTopic, type OpenGroupReader } from './dlq-topic-reprocess.command';
import { EXIT_USAGE, runMigratorCli } from './migrator.cli';
import type { DlqTopicReprocess } from './migrator.args';

const config = loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: 'b-1:9092' });

const headers = (values: Record<string, string>): Record<string, Buffer> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Buffer.from(value)]));

/** A consumer's dead letter of an order event, as SagaDeadLetters writes it. */
function letter(partition: number, offset: number, type: string, failedAt = '2026-03-01T10:00:00.000Z'): RawRecord {
  return {
    topic: 'oms.dlq',
    partition,
    offset: String(offset),
    key: Buffer.from(`order-${offset}`),
    value: Buffer.from(JSON.stringify({ id: `e-${offset}`, event_type: type })),
    headers: headers({
      ce_id: `e-${offset}`,
      ce_type: `oms.order.v1.${type}`,
      traceparent: '00-abc-def-01',
      'x-retry-count': '3',
      'x-original-topic': 'oms.order.events',
      'x-error-message': 'boom',
      'x-failed-at': failedAt,
      oms_source_partition: '5',
      oms_source_offset: '40',
      oms_consumer_group: 'oms-saga-orchestrator',
      oms_consumer: 'saga-orchestrator',
    }),
  };
}

/** A relay's dead letter: the row stays in the outbox, so the topic replay leaves it alone. */
const outboxLetter = (partition: number, offset: number): RawRecord => ({
  topic: 'oms.dlq',
  partition,
  offset: String(offset),
  key: Buffer.from('order-x'),
  value: Buffer.from('{}'),
  headers: headers({ dlq_original_topic: 'oms.order.events', dlq_reason: 'too large' }),
});

class FakeReader {
  readonly published: RawMessage[] = [];
  readonly commits: { partition: number; offset: string }[][] = [];
  closed = false;
  reads = 0;
  constructor(
    readonly ranges: PartitionRange[],
    private readonly records: RawRecord[],
  ) {}
  async read(): Promise<RawRecord[]> {
    this.reads++;
    return this.records;
  }
  async publish(messages: readonly RawMessage[]): Promise<void> {
    this.published.push(...messages);
  }
  async commit(points: readonly { partition: number; offset: string }[]): Promise<void> {
    this.commits.push([...points]);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function run(reader: FakeReader, options: Partial<DlqTopicReprocess> = {}) {
  const opened: GroupReadOptions[] = [];
  const open: OpenGroupReader = async (_config, readOptions) => {
    opened.push(readOptions);
    return reader as unknown as KafkaGroupReader;
  };
  const all: DlqTopicReprocess = { execute: false, limit: 1000, group: 'oms-dlq-reprocess', fromBeginning: false, ...options };
  return { result: reprocessDlqTopic(config, all, open), opened };
}

const ranges: PartitionRange[] = [
  { partition: 0, from: '3', end: '6' },
  { partition: 1, from: '0', end: '1' },
  { partition: 2, from: '4', end: '4' },
];
const records = () => [letter(0, 3, 'OrderPaymentRequested'), outboxLetter(0, 4), letter(0, 5, 'OrderRefundRequested', '2026-03-02T08:00:00.000Z'), letter(1, 0, 'OrderPaymentRequested')];

describe('migrator dlq reprocess', () => {
  it('lists on a dry run what it would replay and leave out, and publishes and commits nothing', async () => {
    const reader = new FakeReader(ranges, records());
    const { result, opened } = run(reader);
    const { lines, replayed, skipped } = await result;

    expect(opened).toEqual([{ topic: 'oms.dlq', groupId: 'oms-dlq-reprocess', fromBeginning: false }]);
    expect(lines).toEqual([
      'reading oms.dlq after the offsets committed by group oms-dlq-reprocess: partition 0 offsets 3..5, partition 1 offsets 0..0',
      'replay   oms.dlq[0]@3 key order-3 -> oms.order.events OrderPaymentRequested (failed 2026-03-01T10:00:00.000Z, 3 retries): boom',
      'skip     oms.dlq[0]@4 key order-x: names no x-original-topic (an outbox row: migrator outbox dead-letters reprocess)',
      'replay   oms.dlq[0]@5 key order-5 -> oms.order.events OrderRefundRequested (failed 2026-03-02T08:00:00.000Z, 3 retries): boom',
      'replay   oms.dlq[1]@0 key order-0 -> oms.order.events OrderPaymentRequested (failed 2026-03-01T10:00:00.000Z, 3 retries): boom',
      'dry run: 3 letter(s) would be replayed, 1 left out; nothing published, group oms-dlq-reprocess not moved (add --execute)',
    ]);
    expect([replayed, skipped]).toEqual([3, 1]);
    expect(reader.published).toEqual([]);
    expect(reader.commits).toEqual([]);
    expect(reader.closed).toBe(true);
  });

  it('with --execute replays each to its original topic with key, value and original headers, then commits past what it read', async () => {
    const reader = new FakeReader(ranges, records());
    const { lines } = await run(reader, { execute: true }).result;

    expect(reader.published).toHaveLength(3);
    const [first] = reader.published;
    expect(first.topic).toBe('oms.order.events');
    expect(first.key?.toString()).toBe('order-3');
    expect(first.value?.toString()).toBe(JSON.stringify({ id: 'e-3', event_type: 'OrderPaymentRequested' }));
    expect(Object.fromEntries(Object.entries(first.headers).map(([name, value]) => [name, value.toString()]))).toEqual({
      ce_id: 'e-3',
      ce_type: 'oms.order.v1.OrderPaymentRequested',
      traceparent: '00-abc-def-01',
    });
    expect(reader.commits).toEqual([
      [
        { partition: 0, offset: '6' },
        { partition: 1, offset: '1' },
      ],
    ]);
    expect(lines.at(-1)).toBe('3 letter(s) replayed to their original topics, 1 left out; group oms-dlq-reprocess committed at 0:6, 1:1');
  });

  it('--type and --since leave letters out (and the group moves past them); --limit holds the rest back for the next run', async () => {
    const byType = new FakeReader(ranges, records());
    await run(byType, { execute: true, type: 'OrderPaymentRequested' }).result;
    expect(byType.published.map((m) => m.key?.toString())).toEqual(['order-3', 'order-0']);

    const byCeType = new FakeReader(ranges, records());
    await run(byCeType, { type: 'oms.order.v1.OrderRefundRequested' }).result.then(({ replayed }) => expect(replayed).toBe(1));

    const bySince = new FakeReader(ranges, records());
    const since = await run(bySince, { execute: true, since: new Date('2026-03-02T00:00:00Z') }).result;
    expect(bySince.published.map((m) => m.key?.toString())).toEqual(['order-5']);
    expect(since.lines).toContain('skip     oms.dlq[0]@3 key order-3: failed 2026-03-01T10:00:00.000Z, before --since 2026-03-02T00:00:00.000Z');
    expect(bySince.commits).toEqual([
      [
        { partition: 0, offset: '6' },
        { partition: 1, offset: '1' },
      ],
    ]);

    const limited = new FakeReader(ranges, records());
    const { lines, held } = await run(limited, { execute: true, limit: 1 }).result;
    expect(held).toBe(2);
    expect(limited.published.map((m) => m.key?.toString())).toEqual(['order-3']);
    // Partition 0 stops before its first held letter (offset 5); partition 1's only letter is held.
    expect(limited.commits).toEqual([
      [
        { partition: 0, offset: '5' },
        { partition: 1, offset: '0' },
      ],
    ]);
    expect(lines.at(-1)).toContain('2 more letter(s) beyond --limit 1 stay for the next run');
  });

  it('reads nothing when the group is at the end, and from the beginning when asked', async () => {
    const atEnd = new FakeReader([{ partition: 0, from: '6', end: '6' }], []);
    const { lines } = await run(atEnd).result;
    expect(lines).toEqual(['nothing to read on oms.dlq after the offsets committed by group oms-dlq-reprocess (--from-beginning reads every retained letter again)']);
    expect(atEnd.reads).toBe(0);

    const again = new FakeReader([{ partition: 0, from: '0', end: '1' }], [letter(0, 0, 'OrderPaymentRequested')]);
    const { result, opened } = run(again, { fromBeginning: true, group: 'ops' });
    expect((await result).lines[0]).toBe('reading oms.dlq from the beginning: partition 0 offsets 0..0');
    expect(opened[0]).toEqual({ topic: 'oms.dlq', groupId: 'ops', fromBeginning: true });
  });

  it('reads the previous release\'s letters (oms_error, oms_source_topic) and leaves letters without a payload out', async () => {
    const old: RawRecord = {
      ...letter(0, 3, 'OrderPaymentRequested'),
      headers: headers({ ce_type: 'oms.order.v1.OrderPaymentRequested', oms_error: 'message body is not JSON', oms_source_topic: 'oms.order.events' }),
      value: Buffer.from('{not json'),
    };
    const empty: RawRecord = { ...letter(0, 4, 'OrderPaymentRequested'), value: null };
    const reader = new FakeReader([{ partition: 0, from: '3', end: '5' }], [old, empty]);
    const { lines } = await run(reader, { execute: true }).result;
    expect(lines.slice(1, 3)).toEqual([
      'replayed oms.dlq[0]@3 key order-3 -> oms.order.events OrderPaymentRequested (failed at an unknown time): message body is not JSON',
      'skip     oms.dlq[0]@4 key order-4: has no payload',
    ]);
    expect(Object.keys(reader.published[0].headers)).toEqual(['ce_type']);
  });
});

describe('migrator dlq reprocess without Kafka', () => {
  it('says it needs KAFKA_BROKERS (exit 2) and needs no database', async () => {
    const err: string[] = [];
    const code = await runMigratorCli(['dlq', 'reprocess'], loadConfig({}), { out: () => undefined, err: (line) => err.push(line) });
    expect(code).toBe(EXIT_USAGE);
    expect(err).toEqual(['migrator: dlq reprocess reads the dead-letter topic on Kafka: KAFKA_BROKERS is required']);
  });
});
