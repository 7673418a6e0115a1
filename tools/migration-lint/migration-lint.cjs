#!/usr/bin/env node
// Runs the TypeScript sources directly: SWC strips the types on require, no build step.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const { main } = require(path.join(__dirname, 'src/main.ts'));
process.exitCode = main(process.argv.slice(2), path.resolve(__dirname, '../..'));
