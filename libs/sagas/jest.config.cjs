module.exports = {
  displayName: 'sagas',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
