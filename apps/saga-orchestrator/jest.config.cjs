module.exports = {
  displayName: 'saga-orchestrator',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
