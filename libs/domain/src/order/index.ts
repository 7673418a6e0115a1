export * from './order.commands';
export * from './order.events';
export * from './order.state';
export * from './order.status';
