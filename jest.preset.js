// Shared Jest set-up for every project: TypeScript through ts-jest (type-checking is the separate
// `typecheck` target, so tests only transpile), the workspace path aliases, and one global set-up
// that hands every suite a real Kafka broker and a real Postgres (see libs/testing).
const path = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

module.exports = function projectJestConfig(projectDir, overrides = {}) {
  return {
    displayName: path.relative(__dirname, projectDir),
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/**/*.spec.ts'],
    transform: {
      '^.+\\.ts$': [
        'ts-jest',
        { tsconfig: path.join(__dirname, "tsconfig.base.json"), diagnostics: false },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: `${__dirname}/` }),
    globalSetup: path.join(__dirname, 'libs/testing/src/global-setup.ts'),
    globalTeardown: path.join(__dirname, 'libs/testing/src/global-teardown.ts'),
    testTimeout: 60_000,
    // A suite that failed half-way may leave a child process or a socket behind; the run must still
    // end (CI waits for it), so Jest exits once the results are in.
    forceExit: true,
    ...overrides,
  };
};
