// esbuild options for `nx build <app>` (@nx/esbuild:esbuild, `esbuildConfig`).
//
// esbuild strips TypeScript types without emitting decorator metadata (`design:paramtypes`), and
// Nest's dependency injection needs it for every constructor that injects by class. This plugin
// hands each workspace .ts file to SWC first, with the same settings Jest and @swc-node use (legacy
// decorators + decoratorMetadata), and lets esbuild bundle the JavaScript SWC returns.
const { readFile } = require('node:fs/promises');
const path = require('node:path');
const { transform } = require('@swc/core');

const workspaceRoot = path.resolve(__dirname, '../..');

/** @type {import('esbuild').Plugin} */
const swcDecoratorMetadata = {
  name: 'swc-decorator-metadata',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      let source = await readFile(args.path, 'utf8');
      // In the bundle every file shares main.cjs's __dirname. Give each workspace file the folder it
      // has in the repository, mirrored under the bundle's folder, so files found relative to the
      // code (the classifier's model) are found where the build's `assets` copy them.
      if (/\b__(dirname|filename)\b/.test(source)) {
        const dir = path.relative(workspaceRoot, path.dirname(args.path)).split(path.sep).join('/');
        source = source
          .replace(/\b__dirname\b/g, '__klaxonDirname')
          .replace(/\b__filename\b/g, '__klaxonFilename');
        const file = JSON.stringify(path.basename(args.path).replace(/\.ts$/, '.js'));
        source =
          `var __klaxonDirname = require('node:path').join(__dirname, ${JSON.stringify(dir)}); ` +
          `var __klaxonFilename = require('node:path').join(__klaxonDirname, ${file});\n${source}`;
      }
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
