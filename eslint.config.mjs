import nx from '@nx/eslint-plugin';

// The dependency graph is a rule: an app never imports another app; services share only libs; the
// events lib (the contracts) depends on nothing. Tests may also use the testing lib.
const boundaries = (testing) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:domain', 'type:events', ...testing] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:domain', 'type:events', ...testing] },
      // The shapes of business logic (deciders, domain errors) are pure: nothing but the contracts.
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:events'] },
      { sourceTag: 'type:events', onlyDependOnLibsWithTags: [...testing] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:domain', 'type:events', 'type:testing'] },
      { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:lib', 'type:events', 'type:testing'] },
      // End-to-end tests drive the services from outside (HTTP, Kafka); they never import them.
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:events', 'type:testing'] },
    ],
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.state', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts', '**/*.tsx'], // .tsx: the web app's components
    rules: {
      '@nx/enforce-module-boundaries': boundaries([]),
      // Used where a row or key is known to exist (just written, or checked a line above).
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec.tsx', '**/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(['type:testing']),
    },
  },
  {
    // The Kafka client library sits behind libs/kafka's own interfaces: a change of client touches that lib alone.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['libs/kafka/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'kafkajs', message: 'Use @webshop/kafka: only libs/kafka talks to the Kafka client library.' }] }],
    },
  },
  {
    // The QA tools read other services' JSON answers, untyped by nature.
    files: ['apps/shop-e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
