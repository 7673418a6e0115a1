export * from './storage-drivers';
