// Pure domain: no framework, driver or I/O imports (enforced by lint).
export * from './events';
export * from './order';
export * from './ports';
export * from './saga';
export * from './shared';
