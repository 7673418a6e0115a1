import { Logger } from '@nestjs/common';
import type { ConsumerHandle, MessageConsumer, ReceivedMessage, Subscription } from '@oms/domain';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { handleWithRetries } from '../handler-retries';
import { WakeSignal } from '../memory/wake-signal';
import { InFlightMessages } from './in-flight-messages';

export interface KafkaConsumerOptions {
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Partitions of one member handled at the same time (each partition stays in order). */
  readonly partitionsConsumedConcurrently?: number;
  /** First pause before a failed message is handled again; doubles (with jitter) up to maxRedeliveryDelayMs. */
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
   * Messages of one member handled at the same time (different keys only: one key's messages
   * are always handled one after another, in order). 1 handles a member's messages one by one.
   */
  readonly maxInFlight?: number;
  /** Longest pause between offset commits while messages are being handled (also on stop and rebalance). */
  readonly commitIntervalMs?: number;
  /** Most bytes one fetch returns (Kafka fetch.max.bytes; kafkajs default 10 MiB). */
  readonly maxBytes?: number;
  /** Most bytes one fetch returns per partition (max.partition.fetch.bytes; kafkajs default 1 MiB). */
  readonly maxBytesPerPartition?: number;
  readonly onHandlerError?: (error: unknown, message: ReceivedMessage) => void;
  /** Jitter source of the retry pauses, in [0, 1) (tests pin it). */
  readonly random?: () => number;
}

// A crashed member leaves the group after the session timeout. Handlers run beside the fetch
// loop, which heartbeats while they wait (a saga's start includes its first partner call), so
// 10 s is ample between heartbeats.
const SESSION_TIMEOUT_MS = 10_000;
const REBALANCE_TIMEOUT_MS = 30_000;
// Handlers run beside the fetch loop, so the next fetch never waits for a slow handler (a
// broker that answers with one record batch per partition, like the mock, would otherwise cap
// a member at one batch per handler round trip). Bounded, so memory and database load are too.
const MAX_IN_FLIGHT = 64;
// Offsets are committed on a timer rather than per message (one OffsetCommit round trip per
// message capped a replica at a few hundred messages/s); a crash redelivers what the last
// interval handled, which handlers dedupe (the saga's inbox).
const COMMIT_INTERVAL_MS = 500;

interface Member {
  readonly subscription: Subscription;
  /** The current kafkajs consumer; replaced when it crashed for good. */
  consumer: Consumer | undefined;
  starting: Promise<void> | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  stopping: boolean;
  readonly wake: WakeSignal;
  readonly inFlight: InFlightMessages;
  commitTimer: NodeJS.Timeout | undefined;
  /** Commits run one at a time, so a later commit point never lands before an earlier one. */
  committing: Promise<void>;
  readonly joined: Promise<void>;
  markJoined(): void;
  stopped?: Promise<void>;
}

/**
 * Consumer groups over kafkajs. Each subscribe() is one group member. Messages are handed to
 * handlers as they are fetched: one key's messages one after another in order, different keys
 * at the same time (maxInFlight). An offset is committed only once the handlers of it and of
 * every earlier message of its partition resolved, every commitIntervalMs, so a crash
 * redelivers what was in flight or not yet committed: handlers must be idempotent. A failed
 * handler is retried in place after a growing pause (handleWithRetries); later messages of its
 * key wait, and the partition's commit point stays before it, so nothing is skipped, until the
 * subscription's FailurePolicy dead-letters it: then it counts as handled. On stop, running handlers
 * finish (a retrying one gives up), what they finished is committed, and the rest is left for
 * the next owner. A member whose kafkajs consumer crashed without restarting is started
 * again: it never silently stops.
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
      inFlight: new InFlightMessages(Math.max(1, this.options.maxInFlight ?? MAX_IN_FLIGHT)),
      commitTimer: undefined,
      committing: Promise.resolve(),
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
      ...(this.options.maxBytes === undefined ? {} : { maxBytes: this.options.maxBytes }),
      ...(this.options.maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition: this.options.maxBytesPerPartition }),
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    member.consumer = consumer;
    member.inFlight.newGeneration();
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // Says, at every (re)join, which partitions this member now owns: "where are my messages?"
      this.logger.log(assignmentLine(event.payload));
      member.markJoined();
    });
    // Partitions may move: after the rejoin every partition is read again from its last commit,
    // so commit points start over (handlers still running finish without moving them).
    consumer.on(consumer.events.REBALANCING, () => member.inFlight.newGeneration());
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
      // Running handlers finish (a retrying one gives up); what they finished is committed
      // before the member leaves the group.
      await member.inFlight.idle();
      await this.commit(member);
      clearInterval(member.commitTimer);
      await member.consumer?.disconnect();
      this.members.delete(member);
    })();
    return member.stopped;
  }

  /** Commits the partitions whose commit point moved; a failure is left for the next commit. */
  private commit(member: Member): Promise<void> {
    member.committing = member.committing.then(async () => {
      const consumer = member.consumer;
      const points = member.inFlight.commitPoints();
      if (!consumer || points.length === 0) return;
      try {
        await consumer.commitOffsets([...points]);
      } catch (error) {
        // During a rebalance the group refuses commits; the new owner reads from the last one.
        this.logger.debug(`offset commit of group ${member.subscription.groupId} refused: ${String(error)}`);
      }
    });
    return member.committing;
  }

  /**
   * Hands each message of the batch to the in-flight set and moves the fetch position past it;
   * returns once all are dispatched (not handled), so the next fetch can start. Waits (and
   * heartbeats) while maxInFlight handlers are running.
   */
  private async handleBatch(member: Member, subscription: Subscription, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    if (!member.commitTimer) {
      member.commitTimer = setInterval(() => void this.commit(member), this.options.commitIntervalMs ?? COMMIT_INTERVAL_MS);
      member.commitTimer.unref();
    }
    const heartbeatMs = this.options.heartbeatIntervalMs ?? 3_000;
    for (const message of batch.messages) {
      while (!member.inFlight.hasRoom() && !member.stopping && isRunning() && !isStale()) {
        await member.inFlight.waitForRoom(heartbeatMs);
        await heartbeat().catch(() => undefined); // a rebalance shows up through isRunning / isStale
      }
      // A stopping member or a revoked partition dispatches nothing more; the rest is refetched by its owner.
      if (member.stopping || !isRunning() || isStale()) return;
      const received = toReceived(batch.topic, batch.partition, message);
      member.inFlight.dispatch(
        received,
        () => this.handleWithRetries(member, subscription, received, heartbeat),
        () => member.stopping,
      );
      resolveOffset(message.offset);
    }
  }

  /** True once the handler resolved or the message was dead-lettered; false when the consumer stops first (the message stays uncommitted). */
  private handleWithRetries(
    member: Member,
    subscription: Subscription,
    received: ReceivedMessage,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const baseMs = this.options.redeliveryDelayMs ?? 100;
    const timing = { baseMs, maxMs: Math.max(baseMs, this.options.maxRedeliveryDelayMs ?? 10_000), random: this.options.random };
    return handleWithRetries(
      subscription,
      received,
      timing,
      async (delayMs) => {
        if (member.stopping) return false;
        await member.wake.wait(delayMs);
        if (member.stopping) return false;
        // Keeps the membership alive while retrying; a rebalance started: leave the message to its owner.
        return heartbeat().then(
          () => true,
          () => false,
        );
      },
      {
        onHandlerError: this.options.onHandlerError,
        onDeadLetterError: (error) =>
          this.logger.warn(
            `dead-lettering ${received.topic}[${received.partition}]@${received.offset} of group ${subscription.groupId} failed, retrying: ${String(error)}`,
          ),
      },
    );
  }
}

/** `consumer group G joined (member M, leader): oms.order.events partitions 0,1,2` */
export function assignmentLine(join: { groupId: string; memberId: string; isLeader: boolean; memberAssignment: Record<string, number[]> }): string {
  const topics = Object.entries(join.memberAssignment).map(([topic, partitions]) => {
    const sorted = [...partitions].sort((a, b) => a - b);
    return `${topic} partitions ${sorted.length > 0 ? sorted.join(',') : '(none)'}`;
  });
  return (
    `consumer group ${join.groupId} joined (member ${join.memberId}${join.isLeader ? ', leader' : ''}): ` +
    (topics.length > 0 ? topics.join('; ') : 'no partitions assigned (more members than partitions)')
  );
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
