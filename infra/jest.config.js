module.exports = require('../jest.preset.js')(__dirname, { testPathIgnorePatterns: ['/node_modules/', '/.state/'] });
