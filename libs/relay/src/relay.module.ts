import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type FactoryProvider,
  type OnApplicationBootstrap,
  type Provider,
  type Type,
} from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Clock, MessagePublisher, Outbox } from '@oms/domain';
import { OutboxRelay } from './outbox-relay';
import { OutboxSignal } from './outbox-signal';
import { AllPartitionsAssignment, PartitionAssignment } from './partition-assignment';
import { NoopRelayMetrics, RelayMetrics } from './relay.metrics';
import { RELAY_OPTIONS, relayOptionsFromConfig, type RelayOptions } from './relay.options';
import { NoopRelayTracing, RelayTracing } from './relay.tracing';

export interface RelayModuleOptions {
  /** Start the loop on application bootstrap (default true). */
  readonly autoStart?: boolean;
  /** Binds RelayMetrics (default: no-op). Its own dependencies must be visible (e.g. a global module). */
  readonly metrics?: Type<RelayMetrics>;
  /** Binds RelayTracing (default: no spans, headers unchanged). */
  readonly tracing?: Type<RelayTracing>;
  /**
   * Binds PartitionAssignment, as a class or a factory (e.g. PostgreSQL leases chosen from
   * config). Default: this relay owns every partition.
   */
  readonly assignment?: Type<PartitionAssignment> | PartitionAssignmentFactory;
}

/** A factory of the PartitionAssignment and what it injects (its tokens must be visible, e.g. global). */
export interface PartitionAssignmentFactory {
  readonly useFactory: FactoryProvider<PartitionAssignment>['useFactory'];
  readonly inject?: FactoryProvider<PartitionAssignment>['inject'];
}

function assignmentProvider(assignment: RelayModuleOptions['assignment']): Provider {
  if (typeof assignment === 'function') return { provide: PartitionAssignment, useClass: assignment };
  if (assignment) return { provide: PartitionAssignment, useFactory: assignment.useFactory, inject: assignment.inject ?? [] };
  return {
    provide: PartitionAssignment,
    useFactory: (relayOptions: RelayOptions) => new AllPartitionsAssignment(relayOptions.partitions),
    inject: [RELAY_OPTIONS],
  };
}

const RELAY_AUTO_START = Symbol.for('oms.relay.auto-start');

@Injectable()
class RelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly relay: OutboxRelay,
    @Inject(RELAY_AUTO_START) private readonly autoStart: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (this.autoStart) this.relay.start();
  }

  // Before the broker and storage close (their onApplicationShutdown): the in-flight batch finishes.
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/**
 * The outbox relay as a Nest module. Needs from the application: OMS_CONFIG, Outbox,
 * MessagePublisher (for instance StorageModule and MessagingModule, both global) and
 * optionally Clock; metrics, tracing and partition assignment are bound through the options.
 * Exports OutboxRelay and the OutboxSignal storage may call after commits.
 */
@Module({})
export class RelayModule {
  static forRoot(options: RelayModuleOptions = {}): DynamicModule {
    const providers: Provider[] = [
      { provide: RELAY_AUTO_START, useValue: options.autoStart ?? true },
      { provide: RELAY_OPTIONS, useFactory: (config: OmsConfig) => relayOptionsFromConfig(config), inject: [OMS_CONFIG] },
      { provide: OutboxSignal, useValue: new OutboxSignal() },
      options.metrics ? { provide: RelayMetrics, useClass: options.metrics } : { provide: RelayMetrics, useClass: NoopRelayMetrics },
      { provide: RelayTracing, useClass: options.tracing ?? NoopRelayTracing },
      assignmentProvider(options.assignment),
      {
        provide: OutboxRelay,
        useFactory: (
          outbox: Outbox,
          publisher: MessagePublisher,
          relayOptions: RelayOptions,
          assignment: PartitionAssignment,
          metrics: RelayMetrics,
          signal: OutboxSignal,
          tracing: RelayTracing,
          clock: Clock | undefined,
        ) => new OutboxRelay({ outbox, publisher, options: relayOptions, assignment, metrics, signal, tracing, clock }),
        inject: [
          Outbox,
          MessagePublisher,
          RELAY_OPTIONS,
          PartitionAssignment,
          RelayMetrics,
          OutboxSignal,
          RelayTracing,
          { token: Clock, optional: true },
        ],
      },
      RelayLifecycle,
    ];
    return {
      module: RelayModule,
      providers,
      exports: [OutboxRelay, OutboxSignal, RELAY_OPTIONS, RelayMetrics, RelayTracing, PartitionAssignment],
    };
  }
}
