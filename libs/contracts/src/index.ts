export * from './events/event-envelope';
export * from './events/order-event.body';
export * from './api/order-api.types';
export * from './openapi/openapi.document';
export * from './proto/proto-path';
export * from './events/order-event.catalog';
export * from './events/dead-letter';
export * from './events/saga-event.body';
