export * from './oms.config';
