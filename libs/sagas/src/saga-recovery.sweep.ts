import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Clock, errorMessage, PeriodicRun, SagaStore } from '@oms/domain';
import { inTraceOf } from '@oms/observability';
import { SagaMetrics } from './saga-metrics';
import { SagaRunner } from './saga-runner';

/** Sagas claimed per sweep. */
const SWEEP_BATCH = 100;

/**
 * Timers live in the database (SagaRecord.nextAttemptAt). Every config.saga.sweepIntervalMs
 * (0 = off) this claims the RUNNING sagas that are due — a retry whose backoff elapsed, a call
 * whose process died, a saga waiting on another — and drives each one. Claiming leases them,
 * so replicas do not drive the same saga at once; the saga row's version settles any overlap.
 */
@Injectable()
export class SagaRecoverySweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SagaRecoverySweep.name);
  private readonly runs = new PeriodicRun(() => this.sweepLogged(), 0);

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly sagas: SagaStore,
    private readonly runner: SagaRunner,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: SagaMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.runs.start(this.config.saga.sweepIntervalMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runs.stop();
  }

  /** One sweep unless one is already running (then 0); returns how many sagas it set driving. */
  tick(): Promise<number> {
    return this.runs.runOnce();
  }

  private sweepLogged(): Promise<number> {
    return this.sweepOnce().catch((error: unknown) => {
      this.logger.error(`saga sweep failed: ${errorMessage(error)}`);
      return 0;
    });
  }

  /** Claims due sagas and starts driving them (it does not wait for the drives: see SagaRunner.idle). */
  async sweepOnce(): Promise<number> {
    // A claimed saga is driven at once; the lease only has to outlast the first commit of that drive.
    const leaseMs = 2 * Math.max(this.config.saga.callTimeoutMs, this.config.saga.sweepIntervalMs);
    const due = await this.sagas.claimDue(this.clock.now(), SWEEP_BATCH, leaseMs);
    let driven = 0;
    for (const saga of due) {
      if (this.runner.isDriving(saga.sagaId)) continue;
      // The resumed drive's spans continue the trace of the request that started the saga.
      void inTraceOf(saga.traceparent, () => this.runner.drive(saga.sagaId));
      driven++;
    }
    if (this.metrics) this.metrics.active(await this.sagas.countRunning());
    return driven;
  }
}
