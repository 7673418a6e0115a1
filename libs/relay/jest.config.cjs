module.exports = {
  displayName: 'relay',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
