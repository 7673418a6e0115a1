export * from './currency';
export * from './domain-error';
export * from './money';
export * from './unavailable-error';
export * from './periodic-run';
export * from './error-message';
export * from './min-interval';
