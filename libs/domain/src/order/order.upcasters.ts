import { createUpcaster, type Upcaster } from '../events/upcaster';
import type { StoredEvent } from '../events/stored-event';
import { ORDER_EVENT_SCHEMA_VERSIONS } from './order.events';

const asRecord = (data: unknown): Record<string, unknown> =>
  typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};

/**
 * Every (type, fromVersion) step of the order events. Adding a version: bump it in
 * ORDER_EVENT_SCHEMA_VERSIONS and register the step from the previous one here.
 */
export const ORDER_UPCASTERS: readonly Upcaster[] = [
  {
    // v1 carried only the order id: cancellations then had no recorded reason and never refunded.
    type: 'OrderCanceled',
    fromVersion: 1,
    upcast: (data) => ({ ...asRecord(data), reason: 'unspecified', refundedMinor: 0 }),
  },
];

/**
 * Lifts a stored order event to the current schema version of its type.
 * Throws EventSchemaError for an unknown type or a version newer than this build knows.
 */
export const upcastEvent: (event: StoredEvent) => StoredEvent = createUpcaster(ORDER_EVENT_SCHEMA_VERSIONS, ORDER_UPCASTERS);
