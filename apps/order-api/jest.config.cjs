module.exports = {
  displayName: 'order-api',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
