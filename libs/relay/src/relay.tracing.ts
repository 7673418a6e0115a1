import type { PendingOutboxMessage } from '@oms/domain';

/** The span of one row's publication: the headers to send (its traceparent) and how it ends. */
export interface PublishTrace {
  readonly headers: Readonly<Record<string, string>>;
  end(error?: unknown): void;
}

/**
 * Tracing of publications, bound by the app to OpenTelemetry: a PRODUCER span per row, child
 * of the row's stored `traceparent`, whose own traceparent then travels in the message so the
 * consumer's work joins the request's trace.
 */
export abstract class RelayTracing {
  abstract publishing(row: PendingOutboxMessage): PublishTrace;
}

/** Default: the row's headers (with the request's traceparent) go out unchanged. */
export class NoopRelayTracing extends RelayTracing {
  publishing(row: PendingOutboxMessage): PublishTrace {
    return { headers: row.headers, end: () => undefined };
  }
}
