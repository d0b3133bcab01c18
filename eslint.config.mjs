// Module boundaries are a rule matrix over Nx project tags (see docs/architecture.md: "Arrows").
// Source files get the strict matrix; tests may additionally import the testing lib.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const adapterPackages = [
  '@nestjs/*',
  'kafkajs',
  'typeorm',
  'pg',
  '@electric-sql/*',
  'imapflow',
  'twitter-api-v2',
  'fastify',
  '@fastify/*',
  'nodemailer',
];

function matrix({ tests }) {
  const plus = (tags) => (tests ? [...tags, 'type:testing'] : tags);
  return [
    // type: what kind of code may import what
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: plus(['type:contracts', 'type:domain', 'type:feature', 'type:platform']),
    },
    {
      sourceTag: 'type:feature',
      onlyDependOnLibsWithTags: plus(['type:contracts', 'type:domain', 'type:platform']),
    },
    {
      sourceTag: 'type:domain',
      // platform/errors (`purity:pure`) is the one platform lib a domain may use: the error kinds and the backoff
      onlyDependOnLibsWithTags: plus(['type:contracts', 'type:domain', 'purity:pure']),
      bannedExternalImports: adapterPackages,
    },
    { sourceTag: 'purity:pure', onlyDependOnLibsWithTags: [], bannedExternalImports: adapterPackages },
    { sourceTag: 'type:platform', onlyDependOnLibsWithTags: plus(['type:contracts', 'type:platform']) },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: adapterPackages },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:testing'],
    },
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
    // scope: stages never import each other; they talk through contracts only
    ...['intake', 'classification', 'routing', 'sla', 'cases', 'email', 'social', 'console'].map((s) => ({
      sourceTag: `scope:${s}`,
      // the intake app also serves handlers' case actions (the complaints API lives in one HTTP app)
      onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared', ...(s === 'intake' ? ['scope:cases'] : [])],
    })),
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:all', onlyDependOnLibsWithTags: ['*'] },
  ];
}

const boundaries = (tests) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    banTransitiveDependencies: false,
    depConstraints: matrix({ tests }),
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.nx/**',
      '**/tmp/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration in the app (libs/platform/config), never process.env in a library.',
        },
      ],
    },
  },
  {
    files: [
      'apps/**/*.ts',
      'libs/platform/config/**/*.ts',
      'libs/testing/**/*.ts',
      'test/**/*.ts',
      'tools/**/*.ts',
      '**/*.spec.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'tools/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    // Test kits live in a lib's `testing` folder (its testing entry point): specs, tests and benchmarks
    // may import them, production code never.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testing/**', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/testing', '**/testing/*', '@klaxon/*/*/testing'],
              message: 'Test kits are for specs and benchmarks only.',
            },
          ],
        },
      ],
    },
  },
);
