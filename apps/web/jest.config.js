// The web app: its logic (swim lanes, causation arrows, the SSE follower, the pulse's read model and
// proxy) and, in src/e2e, a real Chromium against the five real services and the web server.
const path = require('node:path');
const base = require('../../jest.preset.js')(__dirname, { testTimeout: 240_000, maxWorkers: 1 });
module.exports = {
  ...base,
  testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.spec.tsx'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.json'), diagnostics: false }],
  },
};
