// One Jest run for the whole workspace: unit tests beside the code, integration tests (*.int.spec.ts)
// against real Kafka (mock cluster) and PostgreSQL, end-to-end tests in test/.
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/.]/g, '\\$&')}$`] = `<rootDir>/${target.replace(/^\.\//, '')}`;
}

module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        swcrc: false,
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper,
  setupFiles: ['<rootDir>/tools/jest.setup.js'],
  testTimeout: 60_000,
  // Integration tests start their own Kafka mock cluster and PostgreSQL; two workers fit 2 cores.
  maxWorkers: 2,
};
