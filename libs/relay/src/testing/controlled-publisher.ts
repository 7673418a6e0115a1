import { MessagePublisher, MessageRejectedError, type BrokerMessage } from '@oms/domain';

/**
 * Test publisher in front of a real one: can simulate an outage, refuse chosen messages
 * like a broker would, and hold publish calls at a gate.
 */
export class ControlledPublisher extends MessagePublisher {
  down = false;
  refuse: (message: BrokerMessage) => boolean = () => false;
  failOutage: (message: BrokerMessage) => boolean = () => false;
  readonly calls: BrokerMessage[][] = [];
  inFlight = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  constructor(private readonly target: MessagePublisher) {
    super();
  }

  /** Publish calls from now on wait until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  async publish(messages: readonly BrokerMessage[]): Promise<void> {
    this.calls.push([...messages]);
    this.inFlight++;
    try {
      if (this.gate) await this.gate;
      if (this.down) throw new Error('broker unavailable (simulated outage)');
      if (messages.some(this.failOutage)) throw new Error('leader not available (simulated)');
      const refused = messages.find(this.refuse);
      if (refused) throw new MessageRejectedError(`message ${refused.headers['ce_id'] ?? refused.key} refused (simulated)`);
      await this.target.publish(messages);
    } finally {
      this.inFlight--;
    }
  }
}
