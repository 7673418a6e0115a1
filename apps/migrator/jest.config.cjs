module.exports = {
  displayName: 'migrator',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
