import { Logger } from '@nestjs/common';
import type { ConsumerHandle, MessageConsumer, ReceivedMessage, Subscription } from '@oms/domain';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { WakeSignal } from '../memory/wake-signal';

export interface KafkaConsumerOptions {
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Partitions of one member handled at the same time (each partition stays in order). */
  readonly partitionsConsumedConcurrently?: number;
  /** First pause before a failed message is handled again; doubles up to maxRedeliveryDelayMs. */
  readonly redeliveryDelayMs?: number;
  readonly maxRedeliveryDelayMs?: number;
  /** Longest wait of one fetch for new messages; also bounds how long stop() waits for a fetch. */
  readonly maxWaitTimeMs?: number;
  /**
   * How long subscribe() waits for the member to join its group. The default outlasts a
   * rebalance plus the session expiry of a crashed member still in the group, so a replica
   * restarted right after a crash joins instead of failing its start-up.
   */
  readonly joinTimeoutMs?: number;
  /** Pause before a member that kafkajs gave up on (non-retriable crash) is started again. */
  readonly restartDelayMs?: number;
  /**
   * Handled messages of one partition between offset commits (also committed at the end of
   * every fetched batch and on stop). 1 commits after every message.
   */
  readonly commitEveryMessages?: number;
  readonly onHandlerError?: (error: unknown, message: ReceivedMessage) => void;
}

// A crashed member leaves the group after the session timeout; handlers are short (a saga
// step is stored, then driven in the background), so 10 s is ample between heartbeats.
const SESSION_TIMEOUT_MS = 10_000;
const REBALANCE_TIMEOUT_MS = 30_000;
// One OffsetCommit round trip per message capped a saga replica at a few hundred messages/s;
// per chunk it is a small share of the work, and a crash redelivers at most one chunk, which
// handlers dedupe (the saga's inbox).
const COMMIT_EVERY_MESSAGES = 50;

interface Member {
  readonly subscription: Subscription;
  /** The current kafkajs consumer; replaced when it crashed for good. */
  consumer: Consumer | undefined;
  starting: Promise<void> | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  stopping: boolean;
  readonly wake: WakeSignal;
  readonly joined: Promise<void>;
  markJoined(): void;
  stopped?: Promise<void>;
}

/**
 * Consumer groups over kafkajs. Each subscribe() is one group member. An offset is committed
 * only after the handlers of every message before it resolved, in chunks (commitEveryMessages,
 * the end of each fetched batch, and stop), so a crash redelivers at most one chunk: handlers
 * must be idempotent. A failed handler is retried in place after a growing pause, so later
 * messages of the partition wait (per-key order) and nothing is skipped. On stop or a
 * rebalance the message in hand is left uncommitted for its next owner. A member whose kafkajs
 * consumer crashed without restarting is started again: it never silently stops.
 */
export class KafkaConsumer implements MessageConsumer {
  private readonly members = new Set<Member>();
  private readonly logger = new Logger('KafkaConsumer');

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaConsumerOptions = {},
  ) {}

  async subscribe(subscription: Subscription): Promise<ConsumerHandle> {
    if (subscription.groupId.length === 0) throw new Error('subscription groupId must not be empty');
    if (subscription.topics.length === 0) throw new Error('subscription needs at least one topic');
    let markJoined!: () => void;
    const joined = new Promise<void>((resolve) => (markJoined = resolve));
    const member: Member = {
      subscription,
      consumer: undefined,
      starting: undefined,
      restartTimer: undefined,
      stopping: false,
      wake: new WakeSignal(),
      joined,
      markJoined,
    };
    this.members.add(member);
    const timeoutMs = this.options.joinTimeoutMs ?? SESSION_TIMEOUT_MS + REBALANCE_TIMEOUT_MS + 50_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`consumer group ${subscription.groupId} not joined within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      member.starting = this.startConsumer(member);
      await Promise.race([member.starting.then(() => member.joined), timedOut]);
    } catch (error) {
      await this.stopMember(member);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return { stop: () => this.stopMember(member) };
  }

  /** The groups and topics this process consumes right now. */
  subscriptions(): { groupId: string; topic: string }[] {
    const found = new Map<string, { groupId: string; topic: string }>();
    for (const { subscription } of this.members) {
      for (const topic of subscription.topics) found.set(`${subscription.groupId}/${topic}`, { groupId: subscription.groupId, topic });
    }
    return [...found.values()];
  }

  /** Stops every member (each finishes its in-flight message). */
  async close(): Promise<void> {
    await Promise.all([...this.members].map((member) => this.stopMember(member)));
  }

  private async startConsumer(member: Member): Promise<void> {
    const { subscription } = member;
    const consumer = this.kafka.consumer({
      groupId: subscription.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS,
      rebalanceTimeout: this.options.rebalanceTimeoutMs ?? REBALANCE_TIMEOUT_MS,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 250,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    member.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => member.markJoined());
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || member.stopping || member.consumer !== consumer) return;
      this.logger.warn(`consumer of group ${subscription.groupId} crashed for good (${String(event.payload.error)}); starting it again`);
      this.scheduleRestart(member, consumer);
    });
    try {
      await consumer.connect();
      // A new group starts at the earliest retained message, so nothing published before it is missed.
      await consumer.subscribe({ topics: [...subscription.topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
        eachBatch: (payload) => this.handleBatch(member, subscription, payload),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private scheduleRestart(member: Member, crashed: Consumer): void {
    if (member.restartTimer) return;
    member.restartTimer = setTimeout(() => {
      member.restartTimer = undefined;
      if (member.stopping || member.consumer !== crashed) return;
      member.starting = (async () => {
        await crashed.disconnect().catch(() => undefined);
        if (member.stopping) return;
        await this.startConsumer(member);
      })().catch((error: unknown) => {
        this.logger.warn(`restarting the consumer of group ${member.subscription.groupId} failed: ${String(error)}`);
        if (member.consumer) this.scheduleRestart(member, member.consumer);
      });
    }, this.options.restartDelayMs ?? 1_000);
  }

  private stopMember(member: Member): Promise<void> {
    member.stopped ??= (async () => {
      member.stopping = true;
      member.wake.fire();
      clearTimeout(member.restartTimer);
      await member.starting?.catch(() => undefined);
      // Waits for the in-flight message, then leaves the group.
      await member.consumer?.disconnect();
      this.members.delete(member);
    })();
    return member.stopped;
  }

  private async handleBatch(member: Member, subscription: Subscription, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const every = Math.max(1, this.options.commitEveryMessages ?? COMMIT_EVERY_MESSAGES);
    let handled: string | undefined;
    let uncommitted = 0;
    // Called through the batch payload, the commit also goes out while the consumer stops.
    const commit = async (): Promise<void> => {
      if (handled === undefined || uncommitted === 0 || isStale()) return;
      const next = (BigInt(handled) + 1n).toString();
      uncommitted = 0;
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
    };
    try {
      for (const message of batch.messages) {
        // Stopping finishes only the in-flight message; a revoked partition is left to its new owner.
        if (!isRunning() || isStale()) return;
        if (!(await this.handleWithRetries(member, subscription, toReceived(batch.topic, batch.partition, message), heartbeat))) return;
        handled = message.offset;
        resolveOffset(message.offset);
        if (++uncommitted >= every) await commit();
      }
    } finally {
      await commit();
    }
  }

  /** True once the handler resolved; false when the consumer stops first (the message stays uncommitted). */
  private async handleWithRetries(
    member: Member,
    subscription: Subscription,
    received: ReceivedMessage,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    for (let failures = 1; ; failures++) {
      try {
        await subscription.handle(received);
        return true;
      } catch (error) {
        this.options.onHandlerError?.(error, received);
        if (member.stopping) return false;
        await member.wake.wait(this.redeliveryDelay(failures));
        if (member.stopping) return false;
        // Keeps the membership alive while retrying; throws when a rebalance started.
        await heartbeat();
      }
    }
  }

  private redeliveryDelay(failures: number): number {
    const base = this.options.redeliveryDelayMs ?? 100;
    const cap = this.options.maxRedeliveryDelayMs ?? 10_000;
    return Math.min(cap, base * 2 ** Math.min(failures - 1, 20));
  }
}

function toReceived(topic: string, partition: number, message: KafkaMessage): ReceivedMessage {
  return Object.freeze({
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value: message.value?.toString('utf8') ?? '',
    headers: decodeHeaders(message.headers),
  });
}

function decodeHeaders(headers: IHeaders | undefined): Readonly<Record<string, string>> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    // A repeated header keeps its last value; OMS never repeats one.
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) decoded[name] = value.toString();
  }
  return Object.freeze(decoded);
}
