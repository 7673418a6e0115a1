/**
 * Which outbox partitions this relay may publish. Asked before every batch, so an
 * implementation with leases (PostgreSQL) can renew, take and give up partitions there:
 * at that moment no batch is in flight, which makes the hand-over safe.
 */
export abstract class PartitionAssignment {
  abstract owned(): Promise<readonly number[]>;
  /** Gives every partition up (relay stopped, its last batch done). */
  abstract release(): Promise<void>;

  /**
   * Optional: calls `listener` when owned() should be asked again soon (partitions were taken
   * over, or some must be handed to another replica), so an idle relay does not wait for its
   * next poll. Returns the unsubscribe function.
   */
  onChange?(listener: () => void): () => void;
}

/** A single relay owns every partition. */
export class AllPartitionsAssignment extends PartitionAssignment {
  private readonly partitions: readonly number[];

  constructor(partitionCount: number) {
    super();
    if (!Number.isSafeInteger(partitionCount) || partitionCount < 1) {
      throw new RangeError(`outbox partitions must be a positive integer, got ${partitionCount}`);
    }
    this.partitions = Object.freeze(Array.from({ length: partitionCount }, (_, i) => i));
  }

  async owned(): Promise<readonly number[]> {
    return this.partitions;
  }

  async release(): Promise<void> {
    // Nothing is held.
  }
}
