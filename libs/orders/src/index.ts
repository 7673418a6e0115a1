export * from './application/order-command.executor';
