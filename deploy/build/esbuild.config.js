// esbuild options for `nx build <app>` (@nx/esbuild:esbuild, `esbuildConfig`).
//
// esbuild strips TypeScript types without emitting decorator metadata (`design:paramtypes`), and
// Nest's dependency injection needs it for every constructor that injects by class. This plugin
// hands each workspace .ts file to SWC first, with the same settings Jest and @swc-node use (legacy
// decorators + decoratorMetadata), and lets esbuild bundle the JavaScript SWC returns.
const { readFile } = require('node:fs/promises');
const { transform } = require('@swc/core');

/** @type {import('esbuild').Plugin} */
const swcDecoratorMetadata = {
  name: 'swc-decorator-metadata',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = await readFile(args.path, 'utf8');
      const output = await transform(source, {
        filename: args.path,
        swcrc: false,
        configFile: false,
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        // Keep ES module syntax: esbuild does the bundling and the CommonJS output.
        module: { type: 'es6' },
        sourceMaps: false,
      });
      return { contents: output.code, loader: 'js' };
    });
  },
};

module.exports = {
  plugins: [swcDecoratorMetadata],
  // Nest's optional integrations (class-validator, @nestjs/websockets, …) are `require`d lazily
  // inside try/catch; they are external like every other npm package (thirdParty: false).
  keepNames: true,
  // No source maps in images: nothing of the source (or anything in it) ships beside the bundle.
  sourcemap: false,
  logOverride: { 'require-resolve-not-external': 'silent' },
};
