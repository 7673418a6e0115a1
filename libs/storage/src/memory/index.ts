export { createMemoryDrivers, type MemoryDriversOptions } from './memory-drivers';
