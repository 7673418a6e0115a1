module.exports = {
  displayName: 'outbox-relay',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
