// Shared Jest settings: SWC transpiles TypeScript with the legacy decorators and
// decorator metadata that NestJS dependency injection relies on.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, target);
}

module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Coverage (the test / test-int targets turn it on): V8's own counters, mapped back through the
  // inline source maps; tools/coverage/check.mjs merges both tiers per project and holds the floors.
  coverageProvider: 'v8',
  coverageReporters: ['json', 'text-summary'],
  collectCoverageFrom: [
    'src/**/*.ts',
    '!src/**/*.spec.ts',
    // Run only as built processes (end-to-end), not under Jest.
    '!src/main.ts',
    '!src/tracing.ts',
    '!src/e2e/**',
    // Test support: the testing entry points, contract suites and fixtures.
    '!src/testing.ts',
    '!src/**/testing/**',
    '!src/contract/**',
    '!src/**/*.spec-helpers.ts',
    // Declarations only: barrels and ports (abstract classes that serve as DI tokens); each port's
    // behaviour is held by its contract suite in the drivers' projects.
    '!src/**/index.ts',
    '!src/**/*.port.ts',
  ],
};
