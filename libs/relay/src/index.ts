export * from './outbox-relay';
export * from './outbox-signal';
export * from './partition-assignment';
export * from './relay.metrics';
export * from './relay.tracing';
export * from './relay.options';
export * from './relay.module';
export * from './dead-letter';
export { retryDelay } from './retry-backoff';
