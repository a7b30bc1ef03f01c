// The benchmark tool's own tests: its pure parts only (the rate search, the report, /proc parsing).
// The benchmarks themselves run through `npm run bench`, never in `npm test`.
module.exports = require('../../jest.preset.js')(__dirname, { maxWorkers: 1 });
