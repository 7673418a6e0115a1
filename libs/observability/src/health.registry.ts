/** What a check may report beyond up/down (counts, lag, thresholds); never secrets. */
export type HealthDetails = Readonly<Record<string, unknown>>;

/**
 * A check answers `undefined` (up), `{ up, details }`, or throws (down, with the error's
 * message). It should be cheap: /readyz runs it on every probe.
 */
export type HealthCheckFn = () =>
  | void
  | { readonly up: boolean; readonly details?: HealthDetails }
  | Promise<void | { readonly up: boolean; readonly details?: HealthDetails }>;

export interface HealthCheckRegistration {
  /** Unique name shown in /healthz and /readyz (`database`, `broker`, `outbox_backlog`). */
  readonly name: string;
  /** true: a failure takes the process out of service (/readyz 503); false: reported only. */
  readonly readiness: boolean;
  readonly check: HealthCheckFn;
  /** A check that does not answer in time is down (default 2s). */
  readonly timeoutMs?: number;
}

/**
 * Where modules register their health checks, and the process-wide serving state: not started
 * until the app is fully up, not ready as soon as shutdown begins.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckRegistration>();
  private started = false;
  private shuttingDown = false;

  /** Adds a check; returns a function that removes it again. */
  register(registration: HealthCheckRegistration): () => void {
    if (!/^[a-z][a-z0-9_]*$/.test(registration.name)) {
      throw new Error(`health check name "${registration.name}" must be snake_case`);
    }
    if (this.checks.has(registration.name)) {
      throw new Error(`health check "${registration.name}" is already registered`);
    }
    this.checks.set(registration.name, registration);
    return () => {
      if (this.checks.get(registration.name) === registration) this.checks.delete(registration.name);
    };
  }

  list(): readonly HealthCheckRegistration[] {
    return [...this.checks.values()];
  }

  /** The app finished starting (listeners open, consumers joined): readiness may pass. */
  markStarted(): void {
    this.started = true;
  }

  /** Shutdown began: readiness fails from now on, whatever the checks say. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
