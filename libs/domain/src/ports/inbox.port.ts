/** Consumer-side dedup: a message id is recorded (through UnitOfWork) in the transaction that handled it. */
export abstract class Inbox {
  abstract has(consumer: string, messageId: string): Promise<boolean>;
  /**
   * Forgets at most `limit` messages handled before `processedBefore` (any consumer) and
   * resolves with how many; a batch short of `limit` means none is left. Concurrent callers
   * delete disjoint rows.
   */
  abstract deleteProcessedBefore(processedBefore: Date, limit: number): Promise<number>;
}
