import { Inject, Injectable, Module, Optional, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { MessageConsumer, MessagePublisher } from '@oms/domain';
import { HealthRegistry, OmsMetrics } from '@oms/observability';
import { ConsumerLagReporter } from './consumer-lag.reporter';
import type { MessagingDriver } from './messaging-driver';
import { createMessagingDriver } from './messaging-driver.factory';

/** Injection token of the MessagingDriver (for readiness checks and shutdown). */
export const MESSAGING_DRIVER = Symbol.for('oms.messaging.driver');

/** The readiness check this module owns (registered when the ops platform is loaded); no other module registers it. */
export const BROKER_CHECK = 'broker';

@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly lag?: ConsumerLagReporter;

  constructor(
    @Inject(MESSAGING_DRIVER) private readonly driver: MessagingDriver,
    @Optional() private readonly health?: HealthRegistry,
    @Optional() metrics?: OmsMetrics,
  ) {
    if (metrics) this.lag = new ConsumerLagReporter(driver, metrics);
  }

  /** Every app that publishes or consumes is not ready while its broker does not answer. */
  onApplicationBootstrap(): void {
    this.lag?.start();
    this.health?.register({ name: BROKER_CHECK, readiness: true, check: () => this.driver.ping() });
  }

  // After every module's beforeApplicationShutdown, so the relay and consumers have drained.
  async onApplicationShutdown(): Promise<void> {
    this.lag?.stop();
    await this.driver.close();
  }
}

/**
 * Provides MessagePublisher and MessageConsumer for `config.broker.driver` (global). Without
 * an explicit config it reads OMS_CONFIG from the container.
 */
@Module({})
export class MessagingModule {
  static forRoot(config?: Pick<OmsConfig, 'broker'>): DynamicModule {
    const driver: Provider = config
      ? { provide: MESSAGING_DRIVER, useFactory: () => createMessagingDriver(config) }
      : {
          provide: MESSAGING_DRIVER,
          useFactory: (injected: OmsConfig) => createMessagingDriver(injected),
          inject: [OMS_CONFIG],
        };
    return {
      module: MessagingModule,
      global: true,
      providers: [
        driver,
        { provide: MessagePublisher, useFactory: (d: MessagingDriver) => d.publisher, inject: [MESSAGING_DRIVER] },
        { provide: MessageConsumer, useFactory: (d: MessagingDriver) => d.consumer, inject: [MESSAGING_DRIVER] },
        MessagingLifecycle,
      ],
      exports: [MESSAGING_DRIVER, MessagePublisher, MessageConsumer],
    };
  }
}
