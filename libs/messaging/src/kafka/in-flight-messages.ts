import type { ReceivedMessage } from '@oms/domain';

/** Offsets a group member may commit now: every message before each one was handled. */
export interface CommitPoint {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (Kafka's committed-offset convention). */
  readonly offset: string;
}

interface PartitionProgress {
  readonly topic: string;
  readonly partition: number;
  /** Offsets dispatched and not yet handled, in dispatch (= offset) order. */
  readonly pending: Set<bigint>;
  /** One past the highest offset dispatched. */
  next: bigint;
  /** The last offset handed to commit(), to skip commits that would not move it. */
  committed: bigint | undefined;
}

/**
 * The messages of one group member being handled. Messages of one key run one after another,
 * in offset order; different keys run at the same time, up to `maxInFlight`. A partition's
 * commit point only moves past a message once it and every earlier one were handled, so a
 * crash redelivers (never skips) what was in flight.
 *
 * A rebalance starts a new generation: handlers of the old one still finish, but their
 * offsets no longer move any commit point (the partition may have a new owner, who reads from
 * the last commit).
 */
export class InFlightMessages {
  private generation = 0;
  private count = 0;
  /** Per key, the last handler dispatched, resolving to whether it was handled and in which generation. */
  private readonly tails = new Map<string, Promise<{ handled: boolean; generation: number }>>();
  private partitions = new Map<string, PartitionProgress>();
  private readonly waiters: (() => void)[] = [];
  private readonly drained: (() => void)[] = [];

  constructor(private readonly maxInFlight: number) {}

  get size(): number {
    return this.count;
  }

  /** True once another message may be dispatched. */
  hasRoom(): boolean {
    return this.count < this.maxInFlight;
  }

  /** Resolves when a slot frees up or after `timeoutMs`, whichever comes first. */
  waitForRoom(timeoutMs: number): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        const index = waiters.indexOf(done);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /**
   * Runs `handle` after the in-flight handlers of the same key. `handle` resolves true when the
   * message was handled (its offset may be committed), false when it was given up (stop, lost
   * partition): then its offset, and every later one of the partition, stays uncommitted, and
   * the later messages of its key in the same generation are given up too, so no key is ever
   * handled out of order (the next generation reads them again from the last commit).
   * `skip()` is asked just before a handler would start (true while the member stops).
   */
  dispatch(message: ReceivedMessage, handle: () => Promise<boolean>, skip: () => boolean): void {
    const generation = this.generation;
    const progress = this.progressOf(message.topic, message.partition);
    const offset = BigInt(message.offset);
    progress.pending.add(offset);
    if (offset >= progress.next) progress.next = offset + 1n;
    this.count++;

    const chainKey = `${message.topic}\u0000${message.key}`;
    const previous = this.tails.get(chainKey) ?? Promise.resolve({ handled: true, generation });
    const tail = previous.then(async (before) => {
      let handled = false;
      try {
        const mayRun = before.handled || before.generation !== generation;
        handled = mayRun && !skip() && (await handle());
      } catch {
        handled = false; // a handler that throws is a handler that gave up; the chain must go on
      } finally {
        this.finish(generation, progress, offset, handled);
      }
      return { handled, generation };
    });
    this.tails.set(chainKey, tail);
    void tail.then(() => {
      if (this.tails.get(chainKey) === tail) this.tails.delete(chainKey);
    });
  }

  /** Where each partition of this generation may be committed now (only points that moved). */
  commitPoints(): CommitPoint[] {
    const points: CommitPoint[] = [];
    for (const progress of this.partitions.values()) {
      const first = progress.pending.values().next();
      const point = first.done ? progress.next : first.value;
      if (progress.committed !== undefined && point <= progress.committed) continue;
      progress.committed = point;
      points.push({ topic: progress.topic, partition: progress.partition, offset: point.toString() });
    }
    return points;
  }

  /** A new group generation: commit points start over from what the next fetches bring. */
  newGeneration(): void {
    this.generation++;
    this.partitions = new Map();
  }

  /** Resolves once no handler is running. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private progressOf(topic: string, partition: number): PartitionProgress {
    const id = `${topic}\u0000${partition}`;
    let progress = this.partitions.get(id);
    if (!progress) {
      progress = { topic, partition, pending: new Set(), next: 0n, committed: undefined };
      this.partitions.set(id, progress);
    }
    return progress;
  }

  private finish(generation: number, progress: PartitionProgress, offset: bigint, handled: boolean): void {
    this.count--;
    // Given up: the offset stays pending, so the commit point never passes it.
    if (handled && generation === this.generation) progress.pending.delete(offset);
    this.waiters.shift()?.();
    if (this.count === 0) for (const resolve of this.drained.splice(0)) resolve();
  }
}
