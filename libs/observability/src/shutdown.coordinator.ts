import { flushTracing } from './tracing';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type INestApplicationContext,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { HealthRegistry } from './health.registry';
import { OBSERVABILITY_OPTIONS, type ObservabilityOptions } from './observability.options';

const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Where signals come from: the process, or an emitter in tests. */
export interface SignalSource {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/**
 * Owns graceful shutdown. On SIGTERM: readiness fails first (so the load balancer stops
 * sending work), then Nest's shutdown hooks drain each module (in-flight requests, the relay's
 * batch, saga steps, producers, pools), then the process exits 0. If draining exceeds
 * OMS_SHUTDOWN_TIMEOUT the process is forced out with exit code 1.
 *
 * Use `attach(app)` in main.ts after the app started, instead of `app.enableShutdownHooks()`
 * (which re-raises the signal and so exits non-zero).
 */
@Injectable()
export class ShutdownCoordinator implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly exit: (code: number) => void;
  private shutdown: Promise<void> | undefined;
  private readonly listeners = new Map<NodeJS.Signals, () => void>();
  private signalSource: SignalSource = process;

  constructor(
    private readonly health: HealthRegistry,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    @Inject(OBSERVABILITY_OPTIONS) options: ObservabilityOptions,
  ) {
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  /** The app is up: readiness may pass, and SIGTERM / SIGINT start a graceful shutdown. */
  attach(
    app: INestApplicationContext,
    signals: readonly NodeJS.Signals[] = SHUTDOWN_SIGNALS,
    source: SignalSource = process,
  ): void {
    this.removeListeners();
    this.signalSource = source;
    for (const signal of signals) {
      if (this.listeners.has(signal)) continue;
      const listener = (): void => void this.begin(app, signal);
      this.listeners.set(signal, listener);
      source.once(signal, listener);
    }
    this.health.markStarted();
  }

  get isShuttingDown(): boolean {
    return this.health.isShuttingDown;
  }

  /**
   * Starts the shutdown (once; later calls share it): not ready, drain through app.close(),
   * then exit 0, or exit 1 when it fails or the timeout elapses.
   */
  begin(app: INestApplicationContext, signal = 'SIGTERM'): Promise<void> {
    this.shutdown ??= this.run(app, signal);
    return this.shutdown;
  }

  /** Also covers a direct app.close() (tests, embedding): readiness fails from here on. */
  beforeApplicationShutdown(): void {
    this.health.markShuttingDown();
  }

  onApplicationShutdown(): void {
    this.removeListeners();
  }

  private async run(app: INestApplicationContext, signal: string): Promise<void> {
    this.health.markShuttingDown();
    const timeoutMs = this.config.shutdownTimeoutMs;
    this.logger.log(`${signal} received: not ready; draining (timeout ${timeoutMs}ms)`);
    const force = setTimeout(() => {
      this.logger.error(`shutdown did not finish within ${timeoutMs}ms; forcing exit`);
      this.exit(1);
    }, timeoutMs);
    // The forced exit must not by itself keep an otherwise finished process alive.
    force.unref();
    try {
      await app.close();
      this.logger.log('shutdown complete');
      await flushTracing(); // spans still buffered by the SDK would be lost at exit
      clearTimeout(force);
      this.removeListeners();
      this.exit(0);
    } catch (error) {
      clearTimeout(force);
      this.removeListeners();
      this.logger.error(`shutdown failed: ${(error as Error).message}`);
      this.exit(1);
    }
  }

  private removeListeners(): void {
    for (const [signal, listener] of this.listeners) this.signalSource.off(signal, listener);
    this.listeners.clear();
  }
}
