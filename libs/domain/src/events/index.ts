export * from './stored-event';
export * from './upcaster';
