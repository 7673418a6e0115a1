import { Inject, Injectable } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { InProcessInventory, InProcessPayment, type InventoryEffects, type PaymentEffects } from '@oms/partners';

/** Latency, transient error rate and refused refunds, changeable while the mocks run (chaos and e2e tests). */
export interface FaultSettings {
  readonly latencyMs: number;
  readonly errorRate: number;
  /** Every new refund is refused (a payment provider outage); false = the partner has recovered. */
  readonly refuseRefunds: boolean;
}

/** How the gRPC edge answered each method (calls that reached the partner rules). */
export interface MethodCounts {
  calls: number;
  ok: number;
  refused: number;
  unavailable: number;
  invalid: number;
}

export type PartnerMethod = 'Reserve' | 'Release' | 'Pay' | 'Refund';
export type CallOutcome = Exclude<keyof MethodCounts, 'calls'>;

export interface PartnerStats {
  /** Effects that really happened: a repeated idempotency key never counts twice. */
  readonly inventory: InventoryEffects;
  readonly payment: PaymentEffects;
  readonly faults: FaultSettings;
  readonly calls: Readonly<Record<PartnerMethod, Readonly<MethodCounts>>>;
}

const METHODS: readonly PartnerMethod[] = ['Reserve', 'Release', 'Pay', 'Refund'];
const zeroCounts = (): Record<PartnerMethod, MethodCounts> =>
  Object.fromEntries(METHODS.map((method) => [method, { calls: 0, ok: 0, refused: 0, unavailable: 0, invalid: 0 }])) as Record<
    PartnerMethod,
    MethodCounts
  >;

/**
 * The partner rules the mocks serve: the saga's in-process Inventory and Payment (their
 * rules are documented in libs/partners/README.md), built from config.partners. The fault
 * settings object is shared with both partners and read on every call, so changing it takes
 * effect at once without losing the dedup state.
 */
@Injectable()
export class MockPartners {
  private readonly settings: { latencyMs: number; errorRate: number; declineAboveMinor: number; refuseRefunds: boolean };
  private counts = zeroCounts();
  inventory: InProcessInventory;
  payment: InProcessPayment;

  constructor(@Inject(OMS_CONFIG) config: OmsConfig) {
    this.settings = {
      latencyMs: config.partners.latencyMs,
      errorRate: config.partners.errorRate,
      declineAboveMinor: config.partners.paymentDeclineAboveMinor,
      refuseRefunds: false,
    };
    this.inventory = new InProcessInventory(this.settings);
    this.payment = new InProcessPayment(this.settings);
  }

  faults(): FaultSettings {
    return { latencyMs: this.settings.latencyMs, errorRate: this.settings.errorRate, refuseRefunds: this.settings.refuseRefunds };
  }

  setFaults(change: Partial<FaultSettings>): FaultSettings {
    if (change.latencyMs !== undefined) this.settings.latencyMs = change.latencyMs;
    if (change.errorRate !== undefined) this.settings.errorRate = change.errorRate;
    if (change.refuseRefunds !== undefined) this.settings.refuseRefunds = change.refuseRefunds;
    return this.faults();
  }

  record(method: PartnerMethod, outcome: CallOutcome): void {
    const counts = this.counts[method];
    counts.calls++;
    counts[outcome]++;
  }

  stats(): PartnerStats {
    return {
      inventory: this.inventory.effects(),
      payment: this.payment.effects(),
      faults: this.faults(),
      calls: structuredClone(this.counts),
    };
  }

  /** Forgets every reservation, charge, remembered reply and count (fault settings stay). */
  reset(): void {
    this.inventory = new InProcessInventory(this.settings);
    this.payment = new InProcessPayment(this.settings);
    this.counts = zeroCounts();
  }
}
