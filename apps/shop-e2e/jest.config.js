// The whole shop in real processes: one suite at a time, each with its own shop.
module.exports = require('../../jest.preset.js')(__dirname, { testTimeout: 180_000, maxWorkers: 1 });
