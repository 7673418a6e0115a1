import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Layering of DESIGN.md, enforced: apps compose; features use the domain's ports;
// adapters implement ports; the domain depends on nothing.
const depConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:feature', 'type:adapter', 'type:platform', 'type:contracts', 'type:domain', 'type:testing'],
  },
  {
    sourceTag: 'type:feature',
    onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform', 'type:testing'],
  },
  {
    sourceTag: 'type:adapter',
    onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform', 'type:testing'],
  },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:domain'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform'] },
  // Repository tools (migration lint) stand alone.
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain'],
    bannedExternalImports: [
      '@nestjs/*',
      'typeorm',
      'pg',
      'kafkajs',
      '@grpc/*',
      '@opentelemetry/*',
      'fastify',
      'pino',
      'node:*',
      'fs',
      'net',
      'http',
    ],
  },
];

export default [
  { ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // Tests compose like apps: a feature's tests may run it on real adapters and other features.
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: depConstraints.map((constraint) =>
            constraint.sourceTag === 'type:feature' || constraint.sourceTag === 'type:adapter'
              ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:feature', 'type:adapter'] }
              : constraint,
          ),
        },
      ],
    },
  },
  {
    // Test helpers live in the testing entry points (`@oms/<lib>/testing`, `@oms/testing`, an app's
    // src/testing/); production code never imports them.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/src/testing.ts', '**/src/**/testing/**', '**/src/contract/**', '**/src/e2e/**', '**/*.spec-helpers.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@oms/testing', '@oms/*/testing', './testing', './testing/*', '../testing', '../testing/*'],
              message: 'test support is for specs and testing entry points only',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and tools may print and may use loose types for malformed-input cases.
    files: ['**/*.spec.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Transports stay at the edge: application handlers return outcomes, the edge picks statuses.
    files: ['libs/*/src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@grpc/*', '@nestjs/microservices', 'fastify'], message: 'application code is transport-free; map statuses in the edge' }] },
      ],
    },
  },
];
