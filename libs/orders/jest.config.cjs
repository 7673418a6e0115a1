module.exports = {
  displayName: 'orders',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
