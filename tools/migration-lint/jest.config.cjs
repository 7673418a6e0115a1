module.exports = {
  displayName: 'migration-lint',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
