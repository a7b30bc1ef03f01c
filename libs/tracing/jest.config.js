// Pure timing logic under jest's fake timers: no broker, no database, so no global set-up.
module.exports = require('../../jest.preset.js')(__dirname, { globalSetup: undefined, globalTeardown: undefined });
