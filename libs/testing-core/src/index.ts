/**
 * `@webshop/testing-core`: the test helpers that need no other project (waiting, names, ports, log
 * lines, the operator's token). Every lib's tests may use it without a cycle in the
 * project graph; `@webshop/testing` re-exports it with the rest.
 */
export { waitFor, type WaitForOptions } from './wait-for';
export { uniqueName } from './unique-name';
export { freePort } from './free-port';
export { duplicateKeys } from './duplicate-keys';
export { processAlive } from './process-alive';
export { testOperatorToken, operatorHeaders, toolOperatorToken } from './operator-token';
