/** Options of ObservabilityModule.forRoot. */
export interface ObservabilityOptions {
  /** The app being run (`order-api`, ...): the `app` field of every log line. */
  readonly appName: string;
  /** /livez fails when the event loop's p99 delay exceeds this (default 1s). */
  readonly eventLoopDelayThresholdMs?: number;
  /** Where JSON log lines go (default stdout); tests pass a stream to read them. */
  readonly logDestination?: NodeJS.WritableStream;
  /** Exit function of the shutdown coordinator (default process.exit); tests replace it. */
  readonly exit?: (code: number) => void;
}

export const OBSERVABILITY_OPTIONS = Symbol.for('oms.observability.options');

export const DEFAULT_EVENT_LOOP_DELAY_THRESHOLD_MS = 1_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;
