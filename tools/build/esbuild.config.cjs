// esbuild cannot emit decorator metadata, which NestJS uses to resolve constructor
// dependencies by type, so project TypeScript goes through SWC first.
const { readFile } = require('node:fs/promises');
const { transform } = require('@swc/core');

const decoratorMetadata = {
  name: 'swc-decorator-metadata',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const source = await readFile(args.path, 'utf8');
      const output = await transform(source, {
        filename: args.path,
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
      });
      return { contents: output.code, loader: 'js' };
    });
  },
};

module.exports = {
  plugins: [decoratorMetadata],
  keepNames: true,
};
