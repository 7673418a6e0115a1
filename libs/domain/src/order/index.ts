export * from './order.commands';
export * from './order.events';
export * from './order.status';
