module.exports = {
  displayName: 'partner-mocks',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
