import { PartnerUnavailableError } from '@oms/domain';

export interface PartnerFaultOptions {
  /** Added to every call (config.partners.latencyMs). */
  readonly latencyMs: number;
  /** Share of calls, 0..1, that fail transiently (config.partners.errorRate). */
  readonly errorRate: number;
  /** Source of randomness for the error rate; tests pass a fixed sequence. */
  readonly random?: () => number;
}

/**
 * Latency and injected transient failures of the in-process partners. Half of the injected
 * failures happen BEFORE the effect, half AFTER it (the reply is "lost"), which is what makes
 * idempotency keys necessary: a retry must then return the first result, not act again.
 */
export class PartnerFaults {
  private readonly random: () => number;

  constructor(private readonly options: PartnerFaultOptions) {
    this.random = options.random ?? Math.random;
  }

  async around<T>(partner: 'inventory' | 'payment', operation: string, effect: () => T): Promise<T> {
    if (this.options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    if (this.options.errorRate <= 0 || this.random() >= this.options.errorRate) return effect();
    if (this.random() < 0.5) throw new PartnerUnavailableError(partner, `${partner} ${operation}: injected transient failure`);
    effect();
    throw new PartnerUnavailableError(partner, `${partner} ${operation}: injected transient failure after the effect`);
  }
}
