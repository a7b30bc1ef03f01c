export { waitFor } from './wait-for';
export { duplicateKeys } from './duplicate-keys';
export { uniqueName } from './unique-name';
export { createTestDatabase, type TestDatabase } from './test-database';
export { testKafka, createTestTopic, testBrokers, testKafkaAccess, kafkaAccess, type KafkaAccess } from './test-kafka';
export { createDedicatedBroker, type DedicatedBroker } from './dedicated-broker';
export { createDedicatedPostgres, type DedicatedPostgres } from './dedicated-postgres';
export { startServiceProcess, type ServiceProcess, type ServiceProcessOptions } from './service-process';
export { freePort } from './free-port';
export { testOperatorToken, operatorHeaders, toolOperatorToken } from './operator-token';
export { startMailCatcher, type MailCatcher, type CaughtMail } from './mail-catcher';
export { startServiceHarness, call, type ServiceHarness, type Published, type RawRecord } from './service-harness';
export {
  seededRandom,
  unstorableStrings,
  awkwardStrings,
  hostileValues,
  unstorableVariants,
  hostileRequests,
  sendHostileRequests,
  tableFingerprint,
  type Random,
  type FuzzEndpoint,
  type HostileRequest,
  type FuzzResult,
} from './hostile-input';
export { createHistogram, bucketOf, highestIn, type Histogram } from './histogram';
export { deciderSpec, type Scenario, type Outcome } from './decider-spec';
export { parseFlags, timestampDir, UsageError } from './cli-flags';
export { expressRoutes, documentedRoutes, securedRoutes, openApiVerdict } from './openapi-routes';
export { parsePrometheusText, scrapeMetrics, type MetricSample, type ScrapedMetrics } from './prometheus-text';
