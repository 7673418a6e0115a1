import type { OutboxMessage, SagaKind, SagaOutcome, SagaStatus } from '@oms/domain';
import { CLOUDEVENTS_SPEC_VERSION } from './event-envelope';

/**
 * Saga lifecycle events on `oms.saga.events` (docs/events.md), with the Go OMS's JSON fields:
 * `event_type`, `order_id`, `timestamp` (RFC 3339), `metadata` (OMS puts the saga's id, kind and
 * how it ended there, every value a string). Key = order id; CloudEvents headers and
 * `traceparent` as on order events. One `saga.started` per saga, written in the commit that
 * creates it, and one end event, written in the commit of its final transition.
 */
export const SAGA_EVENTS_TOPIC = 'oms.saga.events';
export const SAGA_EVENT_SOURCE = 'oms/saga-orchestrator';
export const SAGA_EVENT_SCHEMA_VERSION = 1;

export const SAGA_EVENT_TYPES = ['saga.started', 'saga.completed', 'saga.failed', 'saga.canceled', 'saga.refunded'] as const;
export type SagaEventType = (typeof SAGA_EVENT_TYPES)[number];

export interface SagaEventMetadata {
  readonly saga_id: string;
  /** `fulfilment` (PayOrder), `cancellation` (CancelOrder of a fulfilled order), `refund` (RefundOrder). */
  readonly saga_kind: SagaKind;
  /** End events: the saga's final status (COMPLETED, COMPENSATED, COMPENSATION_FAILED). */
  readonly saga_status?: string;
  /** End events: OMS's own word for how it ended (confirmed, canceled, refunded, refund_declined, compensation_failed, nothing_to_do). */
  readonly outcome?: string;
  /** End events other than saga.completed: why, as on the order's timeline. */
  readonly reason?: string;
}

export interface SagaEventBody {
  readonly event_type: SagaEventType;
  readonly order_id: string;
  /** When OMS committed the transition (RFC 3339, UTC). */
  readonly timestamp: string;
  readonly metadata: SagaEventMetadata;
}

/** How a saga ended, as far as its lifecycle event tells. */
export interface SagaEnd {
  readonly kind: SagaKind;
  readonly status: SagaStatus;
  readonly outcome?: SagaOutcome;
  /** The order's fulfilment failed (a partner refused or gave up) rather than being canceled on request. */
  readonly fulfilmentFailed: boolean;
}

/**
 * The Go OMS's type of a saga end. The five types follow what was asked of the order: a payment
 * that went through is `saga.completed` and one that failed (the order is canceled with the
 * partner's reason) `saga.failed`; a cancellation (also one that stopped a payment midway) is
 * `saga.canceled`; a refund is `saga.refunded`, or `saga.failed` when declined; a compensation a
 * partner refused is `saga.failed`; a saga that found nothing to do is `saga.completed`.
 */
export function sagaEndEventType(end: SagaEnd): Exclude<SagaEventType, 'saga.started'> {
  const outcome = end.outcome;
  switch (outcome) {
    case 'confirmed':
    case 'nothing_to_do':
      return 'saga.completed';
    case 'canceled':
      return end.kind === 'fulfilment' && end.fulfilmentFailed ? 'saga.failed' : 'saga.canceled';
    case 'refunded':
      return 'saga.refunded';
    case 'refund_declined':
    case 'compensation_failed':
      return 'saga.failed';
    case undefined:
      return end.status === 'COMPLETED' ? 'saga.completed' : 'saga.failed';
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown saga outcome ${String(unknown)}`);
    }
  }
}

export const sagaCeType = (type: SagaEventType): string => `oms.saga.v1.${type.slice('saga.'.length)}`;

export interface SagaLifecycleEvent {
  readonly type: SagaEventType;
  readonly orderId: string;
  readonly sagaId: string;
  readonly kind: SagaKind;
  /** RFC 3339. */
  readonly occurredAt: string;
  readonly status?: SagaStatus;
  readonly outcome?: SagaOutcome;
  readonly reason?: string;
  readonly traceparent?: string;
}

/**
 * The outbox row of a saga lifecycle event: key = order id (so one order's saga events keep their
 * order), message id = `<saga id>:<event type>` (one of each per saga: a retried commit writes the
 * same id).
 */
export function sagaEventMessage(event: SagaLifecycleEvent, topic = SAGA_EVENTS_TOPIC): OutboxMessage {
  const metadata: SagaEventMetadata = {
    saga_id: event.sagaId,
    saga_kind: event.kind,
    ...(event.status === undefined ? {} : { saga_status: event.status }),
    ...(event.outcome === undefined ? {} : { outcome: event.outcome }),
    ...(event.reason === undefined ? {} : { reason: event.reason }),
  };
  const body: SagaEventBody = { event_type: event.type, order_id: event.orderId, timestamp: event.occurredAt, metadata };
  const messageId = `${event.sagaId}:${event.type}`;
  const headers: Record<string, string> = {
    ce_id: messageId,
    ce_type: sagaCeType(event.type),
    ce_source: SAGA_EVENT_SOURCE,
    ce_subject: event.orderId,
    ce_time: event.occurredAt,
    ce_specversion: CLOUDEVENTS_SPEC_VERSION,
    content_type: 'application/json',
    schema_version: String(SAGA_EVENT_SCHEMA_VERSION),
  };
  if (event.traceparent) headers['traceparent'] = event.traceparent;
  return { messageId, topic, key: event.orderId, payload: JSON.stringify(body), headers };
}

const text = { type: 'string' } as const;

/** JSON Schema (2020-12) of a message body on `oms.saga.events`, for consumers outside OMS. */
export const SAGA_EVENT_BODY_SCHEMA: Readonly<Record<string, unknown>> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'oms.saga.events message body',
  type: 'object',
  required: ['event_type', 'order_id', 'timestamp', 'metadata'],
  properties: {
    event_type: { enum: [...SAGA_EVENT_TYPES] },
    order_id: { type: 'string', minLength: 1, description: 'The order id; also the message key.' },
    timestamp: { type: 'string', format: 'date-time', description: 'When OMS committed the saga transition (RFC 3339, UTC).' },
    metadata: {
      type: 'object',
      required: ['saga_id', 'saga_kind'],
      properties: {
        saga_id: { type: 'string', minLength: 1 },
        saga_kind: { enum: ['fulfilment', 'cancellation', 'refund'] },
        saga_status: { enum: ['COMPLETED', 'COMPENSATED', 'COMPENSATION_FAILED'] },
        outcome: { enum: ['confirmed', 'canceled', 'refunded', 'refund_declined', 'compensation_failed', 'nothing_to_do'] },
        reason: text,
      },
      additionalProperties: { type: 'string' },
    },
  },
};
