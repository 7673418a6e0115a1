module.exports = {
  displayName: 'console',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  // The pure modules (API decoding, metrics parsing, formatting) are unit-tested; the pages are
  // driven in a real browser by e2e/ (Playwright on Debian's chromium).
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/main.ts'],
};
