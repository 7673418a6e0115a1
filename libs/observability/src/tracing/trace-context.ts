import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** Instrumentation scope of the spans OMS code starts itself. */
export const OMS_TRACER_NAME = 'oms';

/** Header / metadata key of the W3C trace context (outbox rows, broker messages, gRPC metadata). */
export const TRACEPARENT = 'traceparent';

// Always W3C, whatever OTEL_PROPAGATORS says: the outbox stores a `traceparent`, by contract.
const w3c = new W3CTraceContextPropagator();

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /**
   * The parent: a W3C `traceparent` (an outbox row's, a message header's) or nothing for the
   * active context. An invalid or absent traceparent falls back to the active context.
   */
  readonly traceparent?: string;
}

/** The tracer of OMS code (a no-op one while the SDK is not started). */
export function omsTracer() {
  return trace.getTracer(OMS_TRACER_NAME);
}

/** The `traceparent` of the active span, or undefined when there is none (tracing off). */
export function activeTraceparent(from: Context = context.active()): string | undefined {
  const spanContext = trace.getSpanContext(from);
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(from, carrier, defaultTextMapSetter);
  return carrier[TRACEPARENT];
}

/** The active context with the remote parent of `traceparent`, or the active context unchanged when it is absent or invalid. */
export function contextOf(traceparent: string | undefined, base: Context = context.active()): Context {
  if (!traceparent) return base;
  const extracted = w3c.extract(ROOT_CONTEXT, { [TRACEPARENT]: traceparent }, defaultTextMapGetter);
  const spanContext = trace.getSpanContext(extracted);
  return spanContext && isSpanContextValid(spanContext) ? trace.setSpanContext(base, spanContext) : base;
}

/** Runs `work` with the remote parent of `traceparent` active (as it is when the traceparent is absent or invalid). */
export function inTraceOf<T>(traceparent: string | undefined, work: () => T): T {
  return context.with(contextOf(traceparent), work);
}

/** The trace id of a W3C traceparent (undefined when malformed). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  if (!traceparent) return undefined;
  const spanContext = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, { [TRACEPARENT]: traceparent }, defaultTextMapGetter));
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/**
 * Runs `work` in a new active span (child of `options.traceparent` when given, else of the
 * active span) and ends it: an error thrown marks the span ERROR and is rethrown. Without
 * the SDK this only costs a no-op span.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = contextOf(options.traceparent);
  return omsTracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Starts a span that the caller ends (for work spread over callbacks, e.g. one span per row of a batch). */
export function startSpan(name: string, options: SpanOptions): Span {
  return omsTracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
    contextOf(options.traceparent),
  );
}

/** Marks a span failed with the error's type and message (never its stack or request data). */
export function failSpan(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute('error.type', error instanceof Error ? error.name : typeof error);
}

/** `headers` with `traceparent` set to `span`'s context (unchanged when the span is not recording a valid trace). */
export function withTraceparent(headers: Readonly<Record<string, string>>, span: Span): Record<string, string> {
  const traceparent = activeTraceparent(trace.setSpan(ROOT_CONTEXT, span));
  return traceparent ? { ...headers, [TRACEPARENT]: traceparent } : { ...headers };
}

export { SpanKind, type Span };
