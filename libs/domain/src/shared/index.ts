export * from './domain-error';
export * from './money';
