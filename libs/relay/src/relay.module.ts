import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type FactoryProvider,
  type InjectionToken,
  type OnApplicationBootstrap,
  type Provider,
  type Type,
} from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Clock, MessagePublisher, Outbox } from '@oms/domain';
import { OutboxBacklogHealth } from './outbox-backlog.health';
import { OutboxRelay } from './outbox-relay';
import { OutboxSignal, type OutboxWakeUps } from './outbox-signal';
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
   * Binds PartitionAssignment: a class, a factory, or `{ useExisting: token }`, a provider of the
   * application (e.g. the PostgreSQL leases of storage) whose value may be null, and then this
   * relay owns every partition. Default: this relay owns every partition.
   */
  readonly assignment?: Type<PartitionAssignment> | PartitionAssignmentFactory | ExistingPartitionAssignment;
  /**
   * A provider of the application whose value, unless null, wakes the relay when rows are
   * committed elsewhere (e.g. LISTEN oms_outbox of storage); the poll interval stays the fallback.
   */
  readonly wakeUps?: InjectionToken<OutboxWakeUps | null>;
}

/** The PartitionAssignment some other module provides under `useExisting` (null: every partition). */
export interface ExistingPartitionAssignment {
  readonly useExisting: InjectionToken<PartitionAssignment | null>;
}

/** A factory of the PartitionAssignment and what it injects (its tokens must be visible, e.g. global). */
export interface PartitionAssignmentFactory {
  readonly useFactory: FactoryProvider<PartitionAssignment>['useFactory'];
  readonly inject?: FactoryProvider<PartitionAssignment>['inject'];
}

function assignmentProvider(assignment: RelayModuleOptions['assignment']): Provider {
  if (typeof assignment === 'function') return { provide: PartitionAssignment, useClass: assignment };
  if (assignment && 'useExisting' in assignment) {
    return {
      provide: PartitionAssignment,
      useFactory: (existing: PartitionAssignment | null, relayOptions: RelayOptions) =>
        existing ?? new AllPartitionsAssignment(relayOptions.partitions),
      inject: [assignment.useExisting, RELAY_OPTIONS],
    };
  }
  if (assignment) return { provide: PartitionAssignment, useFactory: assignment.useFactory, inject: assignment.inject ?? [] };
  return {
    provide: PartitionAssignment,
    useFactory: (relayOptions: RelayOptions) => new AllPartitionsAssignment(relayOptions.partitions),
    inject: [RELAY_OPTIONS],
  };
}

const RELAY_AUTO_START = Symbol.for('oms.relay.auto-start');
const RELAY_WAKE_UPS = Symbol.for('oms.relay.wake-ups');

@Injectable()
class RelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly relay: OutboxRelay,
    private readonly signal: OutboxSignal,
    @Inject(RELAY_AUTO_START) private readonly autoStart: boolean,
    @Inject(RELAY_WAKE_UPS) private readonly wakeUps: OutboxWakeUps | null,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.wakeUps?.subscribe(() => this.signal.notify());
    if (this.autoStart) this.relay.start();
  }

  // Before the broker and storage close (their onApplicationShutdown): the in-flight batch finishes.
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    this.unsubscribe?.();
  }
}

/**
 * The outbox relay as a Nest module. Needs from the application: OMS_CONFIG, Outbox,
 * MessagePublisher (for instance StorageModule and MessagingModule, both global) and
 * optionally Clock; metrics, tracing, partition assignment and wake-ups are bound through the
 * options. Owns the `outbox_backlog` readiness check (when the ops platform is loaded).
 * Exports OutboxRelay and the OutboxSignal that in-process commits may call.
 */
@Module({})
export class RelayModule {
  static forRoot(options: RelayModuleOptions = {}): DynamicModule {
    const providers: Provider[] = [
      { provide: RELAY_AUTO_START, useValue: options.autoStart ?? true },
      options.wakeUps
        ? { provide: RELAY_WAKE_UPS, useFactory: (wakeUps: OutboxWakeUps | null) => wakeUps, inject: [options.wakeUps] }
        : { provide: RELAY_WAKE_UPS, useValue: null },
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
      OutboxBacklogHealth,
    ];
    return {
      module: RelayModule,
      providers,
      exports: [OutboxRelay, OutboxSignal, RELAY_OPTIONS, RelayMetrics, RelayTracing, PartitionAssignment],
    };
  }
}
