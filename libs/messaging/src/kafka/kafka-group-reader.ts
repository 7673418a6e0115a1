import type { OmsConfig } from '@oms/config';
import { Partitioners, type Admin, type Consumer, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import { createKafkaClient } from './kafka-client';

/** One message as stored on the topic: key, value and header bytes untouched. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** A repeated header keeps its last value (OMS never repeats one). */
  readonly headers: Readonly<Record<string, Buffer>>;
}

/** What a read covers on one partition: offsets `from` (inclusive) to `end` (exclusive, the end when the read began). */
export interface PartitionRange {
  readonly partition: number;
  readonly from: string;
  readonly end: string;
}

/** A message to write with exactly these bytes. */
export interface RawMessage {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

export interface GroupReadOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Read every retained message instead of starting at the group's committed offsets. */
  readonly fromBeginning: boolean;
  /** How long the read may take (joining the group, fetching); default 60 s. */
  readonly timeoutMs?: number;
}

type BrokerConfig = Pick<OmsConfig, 'broker'>;

/**
 * A one-off read of a whole topic in a consumer group of its own, for operator commands
 * (`migrator dlq reprocess`): from the group's committed offsets (or the beginning) up to the
 * end the topic had when the read began, then nothing is committed unless `commit()` is called.
 * It joins the group as its only member, so it refuses to run while another member holds
 * partitions. Connections come from the one client factory (TLS, SASL).
 */
export class KafkaGroupReader {
  private consumer?: Consumer;
  private producer?: Producer;

  private constructor(
    private readonly config: BrokerConfig,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly options: GroupReadOptions,
    readonly ranges: readonly PartitionRange[],
  ) {}

  /** Asks the cluster where the group stands and where the topic ends; joins nothing yet. */
  static async open(config: BrokerConfig, options: GroupReadOptions): Promise<KafkaGroupReader> {
    const kafka = createKafkaClient(config);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(options.topic),
        admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] }),
      ]);
      const done = new Map(committed?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
      const ranges = ends
        .map(({ partition, low, high }) => {
          const position = done.get(partition) ?? -1n;
          // -1: nothing committed yet; a position before the retained log starts at its first message.
          const from = options.fromBeginning || position < BigInt(low) ? BigInt(low) : position;
          return { partition, from: String(from), end: high };
        })
        .sort((a, b) => a.partition - b.partition);
      return new KafkaGroupReader(config, kafka, admin, options, ranges);
    } catch (error) {
      await admin.disconnect();
      throw error;
    }
  }

  /** Every message of the ranges, per partition in offset order. */
  async read(): Promise<RawRecord[]> {
    const wanted = this.ranges.filter((range) => BigInt(range.from) < BigInt(range.end));
    if (wanted.length === 0) return [];
    const { topic, groupId } = this.options;
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumer = consumer;
    const records = new Map<number, RawRecord[]>(wanted.map((range) => [range.partition, []]));
    const next = new Map(wanted.map((range) => [range.partition, BigInt(range.from)]));
    const end = new Map(wanted.map((range) => [range.partition, BigInt(range.end)]));
    let assigned: number[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const complete = (): boolean => [...next].every(([partition, offset]) => offset >= (end.get(partition) ?? 0n));
    // Seeks are the runner's state: a consumer that crashed and restarted (a join that timed out on a
    // loaded broker) has forgotten them, so every join seeks again from where the read has got to.
    const seekUnfinished = (): void => {
      for (const [partition, offset] of next) {
        if (offset < (end.get(partition) ?? 0n)) consumer.seek({ topic, partition, offset: offset.toString() });
      }
    };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      assigned = [...(event.payload.memberAssignment[topic] ?? [])];
      seekUnfinished();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          const expected = next.get(batch.partition);
          resolveOffset(message.offset);
          // Before the range (a fetch from before the seek), a repeat, or written after the read began.
          if (expected === undefined || offset < expected || offset >= (end.get(batch.partition) ?? 0n)) continue;
          records.get(batch.partition)?.push({
            topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: rawHeaders(message.headers),
          });
          next.set(batch.partition, offset + 1n);
        }
        if (complete()) finish();
      },
    });
    // The first join may have failed already; the next join seeks instead.
    try {
      seekUnfinished();
    } catch (error) {
      if (!(error instanceof Error && /not initialized/.test(error.message))) throw error;
    }

    const timeoutMs = this.options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const missing = [...next].filter(([partition, offset]) => offset < (end.get(partition) ?? 0n)).map(([partition]) => partition);
        const elsewhere = missing.filter((partition) => !assigned.includes(partition));
        reject(
          new Error(
            `read of ${topic} in group ${groupId} did not reach the end of partition(s) ${missing.join(', ')} within ${timeoutMs} ms` +
              (elsewhere.length > 0 ? ` (not assigned to this reader: is another member of group ${groupId} running?)` : ''),
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return [...records.values()].flat();
  }

  /** Writes messages with acks=all and the Java-compatible key partitioner, in order (one produce request per call). */
  async publish(messages: readonly RawMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!this.producer) {
      this.producer = this.kafka.producer({
        idempotent: this.config.broker.kafka.idempotent,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.producer.connect();
    }
    const byTopic = new Map<string, { key: Buffer | null; value: Buffer | null; headers: IHeaders }[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push({ key: message.key, value: message.value, headers: { ...message.headers } });
      byTopic.set(message.topic, list);
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })) });
  }

  /** Moves the group's committed offsets (the next offset to read, per partition). */
  async commit(points: readonly { readonly partition: number; readonly offset: string }[]): Promise<void> {
    if (points.length === 0) return;
    if (!this.consumer) throw new Error('commit() needs a read() first: the reader is not a member of its group');
    await this.consumer.commitOffsets(points.map((point) => ({ topic: this.options.topic, partition: point.partition, offset: point.offset })));
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin.disconnect();
  }
}

function rawHeaders(headers: IHeaders | undefined): Record<string, Buffer> {
  const raw: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) raw[name] = Buffer.isBuffer(last) ? last : Buffer.from(last);
  }
  return raw;
}
