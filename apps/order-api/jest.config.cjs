module.exports = {
  displayName: 'order-api',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  // The *.e2e.spec.ts files run the built processes: `nx run order-api:e2e`.
  testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.spec\\.ts$'],
};
