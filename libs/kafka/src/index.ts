export { createKafka, credentialsFromFile, ensureTopics, silentLogger, type PlumbingLogger, type KafkaOptions, type KafkaCredentials } from './kafka-client';
export { localBroker, toolKafkaOptions } from './local-broker';
export { applyShopAcls, revokeShopAcls, principals, shopAcls, type Acl, type Principal } from './acls';
export {
  createAdmin,
  createQuietKafka,
  connectProducer,
  startReader,
  type KafkaClient,
  type KafkaAdmin,
  type ConsumedRecord,
  type RecordHeaders,
  type RecordToSend,
  type RecordProducer,
  type RecordReader,
  type RecordReaderOptions,
} from './client';
export {
  Header,
  childTraceparent,
  traceIdOf,
  envelopeHeaders,
  headerString,
  type OutgoingEvent,
  type AnyOutgoingEvent,
  type IncomingEvent,
  type AnyIncomingEvent,
} from './envelope';
export { NonRetriableError, classify, type Retriability } from './errors';
export { appendToOutbox, encodeRecord, outboxMigration, outboxPublishedMigration, OUTBOX_CHANNEL, type EncodedRecord } from './outbox';
export { createOutboxRelay, type OutboxPending, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
export { inboxMigration, recordInInbox } from './inbox';
export { DlqHeader, deadLetterMessage } from './dead-letter';
export {
  createConsumerRunner,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  type EventHandler,
  type EventHandlers,
  type Outcome,
  type OutcomeInfo,
} from './consumer-runner';
export { readRecord } from './read-record';

import { inboxMigration } from './inbox';
import { outboxMigration, outboxPublishedMigration } from './outbox';
import { relayLeaseMigration } from './relay-lease';
/** The messaging tables every service database has: run these with the service's own migrations. */
export const messagingMigrations = [outboxMigration, outboxPublishedMigration, inboxMigration, relayLeaseMigration];
export { replayTopics, type ReplayOptions } from './replay';
export { listDeadLetterTopics, readDeadLetters, replayDeadLetters, isDeadLetterTopic, type DeadLetter, type DeadLetterTopic, type Replayed } from './dead-letters';
export { withEventLogFields, currentEventLogFields } from './log-fields';
