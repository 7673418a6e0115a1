import type { StoredEvent } from '../events/stored-event';
import type { LoadedOrder } from '../ports/order-streams.port';
import { evolveOrder, initialOrderState } from './order.decider';
import type { OrderEvent } from './order.events';
import type { OrderState } from './order.state';
import { upcastEvent } from './order.upcasters';

/** Folds a stored stream into the order state, upcasting each event to its current schema first. */
export function rehydrateOrder(events: readonly StoredEvent[]): OrderState {
  return events.reduce<OrderState>((state, stored) => evolveOrder(state, toOrderEvent(stored)), initialOrderState());
}

/** The order folded from its stream as the caller read it. */
export function loadedOrder(orderId: string, events: readonly StoredEvent[]): LoadedOrder {
  return { orderId, state: rehydrateOrder(events), events };
}

/** The domain event inside a stored one, at its current schema version. Throws EventSchemaError. */
export function toOrderEvent(stored: StoredEvent): OrderEvent {
  const { type, schemaVersion, data } = upcastEvent(stored);
  // upcastEvent accepted the type and brought the version to the current one for it.
  return { type, schemaVersion, data } as OrderEvent;
}
