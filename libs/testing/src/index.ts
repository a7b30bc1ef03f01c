export { waitFor } from './wait-for';
export { uniqueName } from './unique-name';
export { createTestDatabase, type TestDatabase } from './test-database';
export { testKafka, createTestTopic, testBrokers } from './test-kafka';
export { createDedicatedBroker, type DedicatedBroker } from './dedicated-broker';
export { startServiceProcess, type ServiceProcess, type ServiceProcessOptions } from './service-process';
export { freePort } from './free-port';
export { startMailCatcher, type MailCatcher, type CaughtMail } from './mail-catcher';
export { startServiceHarness, call, type ServiceHarness, type Published } from './service-harness';
