import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { InventoryPort, PaymentPort } from '@oms/domain';
import { grpcInventoryOf, grpcPaymentOf } from './grpc';
import { InProcessInventory } from './in-process/in-process-inventory';
import { InProcessPayment } from './in-process/in-process-payment';

export const inProcessInventoryOf = (config: OmsConfig): InProcessInventory =>
  new InProcessInventory({ latencyMs: config.partners.latencyMs, errorRate: config.partners.errorRate });

export const inProcessPaymentOf = (config: OmsConfig): InProcessPayment =>
  new InProcessPayment({
    latencyMs: config.partners.latencyMs,
    errorRate: config.partners.errorRate,
    declineAboveMinor: config.partners.paymentDeclineAboveMinor,
  });

interface Partners {
  readonly inventory: InventoryPort;
  readonly payment: PaymentPort;
}

/** The partner adapters of config.partners.driver: the one place the driver is chosen. */
export function createPartners(config: OmsConfig): Partners {
  const driver = config.partners.driver;
  switch (driver) {
    case 'in-process':
      return { inventory: inProcessInventoryOf(config), payment: inProcessPaymentOf(config) };
    case 'grpc':
      return { inventory: grpcInventoryOf(config), payment: grpcPaymentOf(config) };
    default: {
      const unknown: never = driver;
      throw new Error(`unknown partner driver ${String(unknown)}`);
    }
  }
}

const PARTNERS = Symbol.for('oms.partners');

@Injectable()
class PartnersShutdown implements OnApplicationShutdown {
  constructor(@Inject(PARTNERS) private readonly partners: Partners) {}

  // After the sagas drained (beforeApplicationShutdown): close gRPC channels.
  onApplicationShutdown(): void {
    for (const partner of [this.partners.inventory, this.partners.payment]) {
      const closable = partner as Partial<{ close(): void }>;
      if (typeof closable.close === 'function') closable.close();
    }
  }
}

/**
 * Provides InventoryPort and PaymentPort (global) for config.partners.driver: `in-process`
 * (deterministic rules, README.md) or `grpc` (partner-mocks / real partners at
 * config.partners.inventoryAddr / paymentAddr). Needs OMS_CONFIG. With the in-process driver
 * the adapters are also provided under their classes (InProcessInventory, InProcessPayment;
 * null otherwise) so tests and the standalone app can read their effect counters.
 */
@Module({})
export class PartnersModule {
  static forRoot(): DynamicModule {
    return {
      module: PartnersModule,
      global: true,
      providers: [
        { provide: PARTNERS, useFactory: createPartners, inject: [OMS_CONFIG] },
        { provide: InventoryPort, useFactory: (p: Partners) => p.inventory, inject: [PARTNERS] },
        { provide: PaymentPort, useFactory: (p: Partners) => p.payment, inject: [PARTNERS] },
        {
          provide: InProcessInventory,
          useFactory: (p: Partners) => (p.inventory instanceof InProcessInventory ? p.inventory : null),
          inject: [PARTNERS],
        },
        {
          provide: InProcessPayment,
          useFactory: (p: Partners) => (p.payment instanceof InProcessPayment ? p.payment : null),
          inject: [PARTNERS],
        },
        PartnersShutdown,
      ],
      exports: [InventoryPort, PaymentPort, InProcessInventory, InProcessPayment],
    };
  }
}
