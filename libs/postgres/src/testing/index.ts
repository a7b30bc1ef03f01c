/**
 * `@webshop/postgres/testing`: real Postgres for tests, beside the lib so that its own tests need no
 * other project (`@webshop/testing` re-exports these for the apps).
 */
export { createTestDatabase, type TestDatabase } from './test-database';
export { createDedicatedPostgres, type DedicatedPostgres } from './dedicated-postgres';
