export * from './stored-event';
