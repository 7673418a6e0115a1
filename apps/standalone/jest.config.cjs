module.exports = {
  displayName: 'standalone',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
