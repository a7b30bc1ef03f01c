// The helpers each layer's own tests use, from where they live (no cycle in the project graph).
export * from '@webshop/testing-core';
export * from '@webshop/postgres/testing';
export * from '@webshop/kafka/testing';
export { scrapeMetrics } from './scrape-metrics';
export { startServiceProcess, type ServiceProcess, type ServiceProcessOptions } from './service-process';
export { startMailCatcher, type MailCatcher, type CaughtMail } from './mail-catcher';
export { startOtlpCollector, type OtlpCollector, type CollectedSpan } from './otlp-collector';
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
