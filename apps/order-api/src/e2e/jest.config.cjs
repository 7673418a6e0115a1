// End-to-end tests: the built apps as OS processes (`nx run order-api:e2e`, after the builds).
// One file at a time: each starts processes, databases and builds of its own.
const path = require('node:path');
const base = require('../../jest.config.cjs');

module.exports = {
  ...base,
  displayName: 'order-api-e2e',
  rootDir: path.resolve(__dirname, '../..'),
  testMatch: ['<rootDir>/src/e2e/**/*.e2e.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
};
