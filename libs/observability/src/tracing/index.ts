export {
  OMS_TRACER_NAME,
  TRACEPARENT,
  SpanKind,
  activeTraceparent,
  contextOf,
  failSpan,
  inSpan,
  inTraceOf,
  omsTracer,
  startSpan,
  traceIdOf,
  withTraceparent,
  type Span,
  type SpanOptions,
} from './trace-context';
export { flushTracing } from './tracing.flush';
export { OtelPublishTracing, type PublishSpan, type PublishedRow } from './outbox-publish.tracing';
