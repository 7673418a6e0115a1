/** Consumer-side dedup: a message id is recorded (through UnitOfWork) in the transaction that handled it. */
export abstract class Inbox {
  abstract has(consumer: string, messageId: string): Promise<boolean>;
}
