export { createPool, withTransaction, type Pool, type PoolClient, type PoolOptions } from './pool';
export { ensureDatabase, databaseUrlFor, dropDatabase } from './databases';
export { migrate, type Migration } from './migrate';
export { isRetriablePgError } from './errors';
export { listen, keepListening, type Listening, type KeptListening } from './listen';
export { ensureServiceDatabase, dropServiceDatabase, serviceDatabaseUrl, type ServiceDatabase } from './service-database';
