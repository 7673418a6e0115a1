import { EventSchemaError } from '../events/upcaster';
import type { StoredEvent } from '../events/stored-event';
import { storedEvents } from '../testing';
import { orderEvent } from './order.decider';
import { ORDER_EVENT_SCHEMA_VERSIONS } from './order.events';
import { ORDER_UPCASTERS, upcastEvent } from './order.upcasters';

const canceledV1 = (): StoredEvent => ({
  eventId: 'e-1',
  streamId: 'order-o1',
  version: 2,
  position: 17,
  type: 'OrderCanceled',
  schemaVersion: 1,
  data: { orderId: 'o1' },
  metadata: { occurredAt: '2025-06-01T10:00:00.000Z', correlationId: 'c-1' },
});

describe('upcastEvent', () => {
  it('lifts OrderCanceled v1 {orderId} to v2 with reason "unspecified" and nothing refunded', () => {
    expect(upcastEvent(canceledV1())).toEqual({ ...canceledV1(), schemaVersion: 2, data: { orderId: 'o1', reason: 'unspecified', refundedMinor: 0 } });
  });

  it('does not change the stored event it was given', () => {
    const stored = canceledV1();
    upcastEvent(stored);
    expect(stored).toEqual(canceledV1());
  });

  it('returns an event already at the current version unchanged', () => {
    const [current] = storedEvents('o1', orderEvent('OrderCanceled', { orderId: 'o1', reason: 'customer', refundedMinor: 50 }));
    expect(upcastEvent(current)).toBe(current);
  });

  it('refuses a version newer than this build knows, naming type and version', () => {
    const future = { ...canceledV1(), schemaVersion: 3, data: { orderId: 'o1', reason: 'x', refundedMinor: 0, extra: 1 } };
    expect(() => upcastEvent(future)).toThrow(EventSchemaError);
    expect(() => upcastEvent(future)).toThrow(/OrderCanceled v3 is newer than the v2/);
  });

  it('refuses an unknown event type', () => {
    expect(() => upcastEvent({ ...canceledV1(), type: 'OrderTeleported' })).toThrow(/unknown event type "OrderTeleported"/);
  });

  it('refuses a non-positive or fractional schema version', () => {
    expect(() => upcastEvent({ ...canceledV1(), schemaVersion: 0 })).toThrow(/invalid schema version/);
    expect(() => upcastEvent({ ...canceledV1(), schemaVersion: 1.5 })).toThrow(/invalid schema version/);
  });

  it('has a step for every version below the current one of every type', () => {
    for (const [type, current] of Object.entries(ORDER_EVENT_SCHEMA_VERSIONS)) {
      for (let version = 1; version < current; version++) {
        expect(ORDER_UPCASTERS.some((step) => step.type === type && step.fromVersion === version)).toBe(true);
      }
    }
  });

  it('registers steps only for known types and below their current version', () => {
    for (const step of ORDER_UPCASTERS) {
      const current = (ORDER_EVENT_SCHEMA_VERSIONS as Record<string, number>)[step.type];
      expect(current).toBeDefined();
      expect(step.fromVersion).toBeLessThan(current);
    }
  });
});
