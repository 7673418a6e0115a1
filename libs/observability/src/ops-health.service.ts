import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { configSecrets, OMS_CONFIG, redactSecrets, type OmsConfig } from '@oms/config';
import { buildInfoOf, type BuildInfo } from './build-info';
import { EventLoopMonitor } from './event-loop.monitor';
import { HealthRegistry, type HealthCheckRegistration } from './health.registry';
import { OmsMetrics } from './oms-metrics';
import {
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_EVENT_LOOP_DELAY_THRESHOLD_MS,
  OBSERVABILITY_OPTIONS,
  type ObservabilityOptions,
} from './observability.options';

/** An answer of an ops endpoint: HTTP status and JSON body. */
export interface HealthAnswer {
  readonly httpStatus: 200 | 503;
  readonly body: Readonly<Record<string, unknown>>;
}

const EVENT_LOOP_CHECK = 'event_loop';

/** Runs the registered checks through @nestjs/terminus and shapes /livez, /readyz, /healthz. */
@Injectable()
export class OpsHealthService {
  private readonly secrets: readonly string[];
  private readonly eventLoopThresholdMs: number;
  private readonly appName: string;
  private readonly build: BuildInfo;
  /** Monotonic start of this app (several apps may share a process in tests). */
  private readonly startedAt = performance.now();

  constructor(
    private readonly healthChecks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
    private readonly metrics: OmsMetrics,
    private readonly eventLoop: EventLoopMonitor,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    @Inject(OBSERVABILITY_OPTIONS) options: ObservabilityOptions,
  ) {
    this.secrets = configSecrets(config);
    this.eventLoopThresholdMs = options.eventLoopDelayThresholdMs ?? DEFAULT_EVENT_LOOP_DELAY_THRESHOLD_MS;
    this.appName = options.appName;
    this.build = buildInfoOf(config);
  }

  /** /livez: the process answers and its event loop is not stuck. Nothing external. */
  async liveness(): Promise<HealthAnswer> {
    const result = await this.run([() => this.eventLoopIndicator()]);
    return { httpStatus: result.status === 'ok' ? 200 : 503, body: { status: result.status, details: result.details } };
  }

  /** /readyz: started, not shutting down, and every readiness check up. */
  async readiness(): Promise<HealthAnswer> {
    const gate = this.gate();
    if (gate) {
      this.metrics.ready.set(0);
      return { httpStatus: 503, body: { status: gate } };
    }
    const result = await this.run(this.registry.list().filter((check) => check.readiness).map((check) => () => this.indicator(check)));
    // Shutdown may have begun while the checks ran.
    const status = this.gate() ?? result.status;
    this.metrics.ready.set(status === 'ok' ? 1 : 0);
    return { httpStatus: status === 'ok' ? 200 : 503, body: { status, details: result.details } };
  }

  /**
   * /healthz, for people: what runs (app, service name, version, commit, uptime) and every
   * check (readiness or not) with its status and details.
   */
  async report(): Promise<HealthAnswer> {
    const checks = this.registry.list();
    const result = await this.run([() => this.eventLoopIndicator(), ...checks.map((check) => () => this.indicator(check))]);
    const readinessNames = new Set(checks.filter((check) => check.readiness).map((check) => check.name));
    const readinessDown = Object.entries(result.details).some(
      ([name, detail]) => (readinessNames.has(name) || name === EVENT_LOOP_CHECK) && detail.status !== 'up',
    );
    const status = this.gate() ?? (readinessDown ? 'error' : 'ok');
    const details = Object.fromEntries(
      Object.entries(result.details).map(([name, detail]) => [
        name,
        { ...detail, readiness: readinessNames.has(name) },
      ]),
    );
    return {
      httpStatus: status === 'ok' ? 200 : 503,
      body: {
        status,
        app: this.appName,
        service: this.config.serviceName,
        version: this.build.version,
        commit: this.build.commit,
        uptimeSeconds: Math.floor((performance.now() - this.startedAt) / 1000),
        details,
      },
    };
  }

  private gate(): 'shutting_down' | 'starting' | undefined {
    if (this.registry.isShuttingDown) return 'shutting_down';
    if (!this.registry.isStarted) return 'starting';
    return undefined;
  }

  private async run(indicators: (() => Promise<HealthIndicatorResult>)[]): Promise<HealthCheckResult> {
    try {
      return await this.healthChecks.check(indicators);
    } catch (error) {
      // Terminus reports a failed check as a 503 exception carrying the full result.
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }

  private async eventLoopIndicator(): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(EVENT_LOOP_CHECK);
    const delayMs = Math.round(this.eventLoop.delayMs() * 10) / 10;
    const details = { delayMs, thresholdMs: this.eventLoopThresholdMs };
    return delayMs <= this.eventLoopThresholdMs ? session.up(details) : session.down(details);
  }

  private async indicator(check: HealthCheckRegistration): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(check.name);
    let up: boolean;
    let details: Record<string, unknown>;
    try {
      const outcome = await withTimeout(Promise.resolve(check.check()), check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS);
      up = outcome?.up ?? true;
      details = this.clean(outcome?.details ?? {});
    } catch (error) {
      up = false;
      details = { message: this.redact(error instanceof Error ? error.message : String(error)) };
    }
    this.metrics.healthCheckUp.labels(check.name).set(up ? 1 : 0);
    return up ? session.up(details) : session.down(details);
  }

  /** Details go out on an unauthenticated port: strings are scrubbed of secrets. */
  private clean(details: Record<string, unknown>): Record<string, unknown> {
    const { status: _reserved, ...rest } = details;
    return JSON.parse(
      JSON.stringify(rest, (_key, value: unknown) => (typeof value === 'string' ? this.redact(value) : value)),
    ) as Record<string, unknown>;
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
