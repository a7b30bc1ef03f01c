// The chaos tool's own tests: pure parts, and one short fixed-seed run of the whole tool.
module.exports = require('../../jest.preset.js')(__dirname, { testTimeout: 300_000, maxWorkers: 1 });
