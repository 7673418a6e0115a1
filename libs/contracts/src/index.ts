export * from './events/event-envelope';
