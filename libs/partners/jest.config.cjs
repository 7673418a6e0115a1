module.exports = {
  displayName: 'partners',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
