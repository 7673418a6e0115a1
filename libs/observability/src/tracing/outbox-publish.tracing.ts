import { failSpan, SpanKind, startSpan, TRACEPARENT, withTraceparent } from './trace-context';

/** What the relay publishes of an outbox row (structurally the domain's PendingOutboxMessage). */
export interface PublishedRow {
  readonly messageId: string;
  readonly topic: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The span of one row's publication: the headers to send and how it ends. */
export interface PublishSpan {
  readonly headers: Readonly<Record<string, string>>;
  end(error?: unknown): void;
}

/**
 * OpenTelemetry for the outbox relay (bind it as the relay's RelayTracing): a PRODUCER span
 * per row, child of the `traceparent` stored with the row by the request that wrote it; the
 * message then carries the span's own traceparent, so the consumer continues the same trace.
 * Without the SDK the spans are no-ops and the row's traceparent goes out unchanged.
 */
export class OtelPublishTracing {
  publishing(row: PublishedRow): PublishSpan {
    const span = startSpan(`${row.topic} publish`, {
      kind: SpanKind.PRODUCER,
      traceparent: row.headers[TRACEPARENT],
      attributes: {
        'messaging.operation.type': 'send',
        'messaging.destination.name': row.topic,
        'messaging.message.id': row.messageId,
        'messaging.kafka.message.key': row.key,
        'cloudevents.event_type': row.headers['ce_type'] ?? '',
      },
    });
    return {
      headers: withTraceparent(row.headers, span),
      end: (error?: unknown) => {
        if (error !== undefined) failSpan(span, error);
        span.end();
      },
    };
  }
}
