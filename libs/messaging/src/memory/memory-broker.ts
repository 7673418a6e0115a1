import { MessageRejectedError, outboxPartition } from '@oms/domain';
import type {
  BrokerMessage,
  ConsumerHandle,
  MessageConsumer,
  MessagePublisher,
  ReceivedMessage,
  Subscription,
} from '@oms/domain';
import { handleWithRetries, type RetryTiming } from '../handler-retries';
import { OMS_TOPICS, type TopicSpec } from '../topics';
import { messageSize } from '../message-size';
import { WakeSignal } from './wake-signal';

/** Publishing to or subscribing a topic the broker does not have (Kafka: UNKNOWN_TOPIC_OR_PARTITION). */
export class UnknownTopicError extends Error {
  constructor(readonly topic: string) {
    super(`topic "${topic}" does not exist on the broker`);
    this.name = 'UnknownTopicError';
  }
}

export interface MemoryBrokerOptions {
  /** Topics created at start (default: OMS_TOPICS). More can be added with createTopic(). */
  readonly topics?: readonly TopicSpec[];
  /** First pause before a message whose handler failed is delivered again (default 100 ms); doubles, with jitter, up to maxRedeliveryDelayMs. */
  readonly redeliveryDelayMs?: number;
  /** Longest pause between two deliveries of a failed message (default 10 s). */
  readonly maxRedeliveryDelayMs?: number;
  /** Largest message accepted, key + value + headers in bytes (default 1 MiB, like Kafka). */
  readonly maxMessageBytes?: number;
  /** Called with every handler failure (the subscription's FailurePolicy decides what happens next). */
  readonly onHandlerError?: (error: unknown, message: ReceivedMessage) => void;
  /** Wall clock for retention (tests move it). */
  readonly now?: () => number;
}

interface LogRecord {
  readonly offset: number;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

class PartitionLog {
  /** records[0] has offset `base`; retention drops records from the head. */
  private records: LogRecord[] = [];
  private base = 0;
  /** Consumer lanes (one per group) reading this partition: woken on append. */
  readonly lanes = new Set<Lane>();

  get firstOffset(): number {
    return this.base;
  }

  append(record: Omit<LogRecord, 'offset'>): void {
    this.records.push({ ...record, offset: this.base + this.records.length });
    for (const lane of this.lanes) lane.wake.fire();
  }

  at(offset: number): LogRecord | undefined {
    return this.records[offset - this.base];
  }

  all(): readonly LogRecord[] {
    return this.records;
  }

  dropOlderThan(timestamp: number): void {
    let count = 0;
    while (count < this.records.length && this.records[count].timestamp < timestamp) count++;
    if (count === 0) return;
    this.records.splice(0, count);
    this.base += count;
  }
}

interface Topic {
  readonly spec: TopicSpec;
  readonly partitions: readonly PartitionLog[];
}

interface Member {
  readonly subscription: Subscription;
  active: boolean;
  readonly inFlight: Set<Promise<boolean>>;
}

interface Group {
  readonly id: string;
  members: Member[];
  /** Next offset to deliver per `topic/partition`: advanced only after a handler resolved. */
  readonly committed: Map<string, number>;
  readonly lanes: Map<string, Lane>;
}

/** One group's reading of one partition: a single loop delivers to whichever member owns it now. */
interface Lane {
  readonly key: string;
  readonly group: Group;
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  owner: Member | undefined;
  running: boolean;
  readonly wake: WakeSignal;
}

/**
 * An in-process broker with Kafka's delivery model: keyed partitions, consumer groups with
 * committed offsets, at-least-once delivery in partition order, and partitions shared among
 * the members of a group (rebalanced on join and leave). One instance serves as both the
 * MessagePublisher and the MessageConsumer of a process.
 */
/** Consumer lag of one partition: messages after the group's committed offset. */
export interface PartitionLag {
  readonly partition: number;
  readonly lag: number;
}

export class MemoryBroker implements MessagePublisher, MessageConsumer {
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly retryTiming: RetryTiming;
  private readonly maxMessageBytes: number;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: MemoryBrokerOptions = {}) {
    const baseMs = options.redeliveryDelayMs ?? 100;
    this.retryTiming = { baseMs, maxMs: Math.max(baseMs, options.maxRedeliveryDelayMs ?? 10_000) };
    this.maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
    this.now = options.now ?? Date.now;
    for (const spec of options.topics ?? OMS_TOPICS) this.createTopic(spec);
  }

  /** Adds a topic; declaring an existing topic again with the same partition count is a no-op. */
  createTopic(spec: TopicSpec): void {
    if (!Number.isSafeInteger(spec.partitions) || spec.partitions < 1) {
      throw new Error(`topic "${spec.name}": partitions must be a positive integer, got ${spec.partitions}`);
    }
    const existing = this.topics.get(spec.name);
    if (existing) {
      if (existing.spec.partitions !== spec.partitions) {
        throw new Error(`topic "${spec.name}" exists with ${existing.spec.partitions} partitions, not ${spec.partitions}`);
      }
      return;
    }
    const partitions = Array.from({ length: spec.partitions }, () => new PartitionLog());
    this.topics.set(spec.name, { spec: { ...spec }, partitions });
  }

  topicSpecs(): TopicSpec[] {
    return [...this.topics.values()].map((topic) => topic.spec);
  }

  /** The groups and topics consumed through this broker right now. */
  subscriptions(): { groupId: string; topic: string }[] {
    const found = new Map<string, { groupId: string; topic: string }>();
    for (const group of this.groups.values()) {
      for (const member of group.members) {
        for (const topic of member.subscription.topics) found.set(`${group.id}/${topic}`, { groupId: group.id, topic });
      }
    }
    return [...found.values()];
  }

  /** Messages of `topic` not yet acknowledged by `groupId`, per partition (a group that never read counts all). */
  async consumerLag(groupId: string, topic: string): Promise<PartitionLag[]> {
    const log = this.topics.get(topic);
    if (!log) return [];
    const group = this.groups.get(groupId);
    return log.partitions.map((partition, index) => {
      const end = partition.firstOffset + partition.all().length;
      const committed = group?.committed.get(`${topic}/${index}`) ?? partition.firstOffset;
      return { partition: index, lag: Math.max(0, end - committed) };
    });
  }

  async publish(messages: readonly BrokerMessage[]): Promise<void> {
    this.assertOpen();
    // Check the whole batch first: a refused message leaves none of the batch written.
    const targets = messages.map((message) => {
      const topic = this.topicOf(message.topic);
      const size = messageSize(message);
      if (size > this.maxMessageBytes) {
        throw new MessageRejectedError(
          `message for key "${message.key}" on ${message.topic} is ${size} bytes, above the broker limit of ${this.maxMessageBytes}`,
        );
      }
      return { topic, message };
    });
    const now = this.now();
    for (const { topic, message } of targets) {
      const log = topic.partitions[outboxPartition(message.key, topic.partitions.length)];
      log.dropOlderThan(now - topic.spec.retentionMs);
      log.append({ key: message.key, value: message.value, headers: Object.freeze({ ...message.headers }), timestamp: now });
    }
  }

  async subscribe(subscription: Subscription): Promise<ConsumerHandle> {
    this.assertOpen();
    if (subscription.groupId.length === 0) throw new Error('subscription groupId must not be empty');
    if (subscription.topics.length === 0) throw new Error('subscription needs at least one topic');
    for (const name of subscription.topics) this.topicOf(name);

    let group = this.groups.get(subscription.groupId);
    if (!group) {
      group = { id: subscription.groupId, members: [], committed: new Map(), lanes: new Map() };
      this.groups.set(group.id, group);
    }
    const member: Member = { subscription, active: true, inFlight: new Set() };
    group.members.push(member);
    this.rebalance(group);
    const joined = group;
    let stopping: Promise<void> | undefined;
    return {
      stop: () => (stopping ??= this.leave(joined, member)),
    };
  }

  /** Retained messages of a topic, partition by partition in offset order (for tests and diagnostics). */
  messages(topicName: string): ReceivedMessage[] {
    const topic = this.topicOf(topicName);
    return topic.partitions.flatMap((log, partition) =>
      log.all().map((record) => toReceived(topicName, partition, record)),
    );
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  /** Stops every consumer (their in-flight messages finish) and refuses further use. */
  async close(): Promise<void> {
    if (this.closed) return;
    const leaving = [...this.groups.values()].flatMap((group) => group.members.map((member) => this.leave(group, member)));
    this.closed = true;
    await Promise.all(leaving);
  }

  private async leave(group: Group, member: Member): Promise<void> {
    if (member.active) {
      member.active = false;
      group.members = group.members.filter((other) => other !== member);
      this.rebalance(group);
    }
    await Promise.all(member.inFlight);
  }

  /** Spreads every partition of the group's topics round-robin over the members subscribed to it. */
  private rebalance(group: Group): void {
    const owners = new Map<string, Member>();
    const topicNames = new Set(group.members.flatMap((member) => member.subscription.topics));
    for (const name of topicNames) {
      const topic = this.topicOf(name);
      const members = group.members.filter((member) => member.subscription.topics.includes(name));
      topic.partitions.forEach((log, partition) => {
        const key = `${name}/${partition}`;
        owners.set(key, members[partition % members.length]);
        if (!group.lanes.has(key)) {
          const lane: Lane = { key, group, topic: name, partition, log, owner: undefined, running: false, wake: new WakeSignal() };
          group.lanes.set(key, lane);
          log.lanes.add(lane);
        }
      });
    }
    for (const lane of group.lanes.values()) {
      const owner = owners.get(lane.key);
      if (lane.owner === owner) continue;
      lane.owner = owner;
      lane.wake.fire();
      if (owner && !lane.running) void this.runLane(lane);
    }
  }

  private async runLane(lane: Lane): Promise<void> {
    lane.running = true;
    try {
      for (;;) {
        const owner = lane.owner;
        if (!owner || this.closed) return;
        const committed = lane.group.committed.get(lane.key) ?? lane.log.firstOffset;
        // A new group, or one whose position fell out of retention, starts at the earliest message.
        const record = lane.log.at(Math.max(committed, lane.log.firstOffset));
        if (!record) {
          await lane.wake.wait();
          continue;
        }
        // Handled or dead-lettered: the commit point passes it. Given up (the partition moved
        // or the broker closed): the next owner reads it again from the commit point.
        if (await this.deliver(lane, owner, toReceived(lane.topic, lane.partition, record))) {
          lane.group.committed.set(lane.key, record.offset + 1);
        }
      }
    } finally {
      lane.running = false;
    }
  }

  /**
   * Resolves true once the handler resolved or the message was dead-lettered, false when the
   * member lost the partition first; never rejects. A failed message is handled again in place
   * after a pause, so later messages of the partition wait (per-key order).
   */
  private deliver(lane: Lane, member: Member, message: ReceivedMessage): Promise<boolean> {
    const attempt = handleWithRetries(member.subscription, message, this.retryTiming, (delayMs) => this.pause(lane, member, delayMs), {
      onHandlerError: this.options.onHandlerError,
    });
    member.inFlight.add(attempt);
    void attempt.then(() => member.inFlight.delete(attempt));
    return attempt;
  }

  /** Sleeps before the next attempt; false once the lane has another owner or the broker closed. */
  private async pause(lane: Lane, owner: Member, delayMs: number): Promise<boolean> {
    const until = Date.now() + delayMs;
    while (lane.owner === owner && !this.closed && Date.now() < until) {
      await lane.wake.wait(until - Date.now());
    }
    return lane.owner === owner && !this.closed;
  }

  private topicOf(name: string): Topic {
    const topic = this.topics.get(name);
    if (!topic) throw new UnknownTopicError(name);
    return topic;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('memory broker is closed');
  }
}

function toReceived(topic: string, partition: number, record: LogRecord): ReceivedMessage {
  return Object.freeze({
    topic,
    partition,
    offset: String(record.offset),
    key: record.key,
    value: record.value,
    headers: record.headers,
  });
}
