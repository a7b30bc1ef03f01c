/**
 * `@webshop/kafka/testing`: the test broker and brokers of a test's own, beside the lib so that its
 * own tests need no other project (`@webshop/testing` re-exports these for the apps). This lib's
 * fixtures (fixtures.ts, the child processes) stay internal to its specs.
 */
export { testKafka, createTestTopic, testBrokers, testKafkaAccess, kafkaAccess, type KafkaAccess } from './test-kafka';
export { createDedicatedBroker, type DedicatedBroker } from './dedicated-broker';
