export { createPool, withTransaction, type Pool, type PoolClient } from './pool';
export { ensureDatabase, databaseUrlFor, dropDatabase } from './databases';
export { migrate, type Migration } from './migrate';
export { isRetriablePgError } from './errors';
export { createWaker, type Waker } from './waker';
export { listen, type Listening } from './listen';
