import { logLevel } from 'kafkajs';
import { kafkajsLine, kafkajsLogCreator } from './kafkajs-log';

/** An entry as kafkajs hands it to a logCreator. */
const entry = (namespace: string, level: logLevel, message: string, fields: Record<string, unknown> = {}) => ({
  namespace,
  level,
  label: logLevel[level],
  log: { timestamp: '2026-12-02T10:28:38.707Z', logger: 'kafkajs', message, ...fields },
});

describe("kafkajs' log entries on the service's log", () => {
  it("put the Kafka protocol's correlationId under kafkaRequestId, and leave out kafkajs' timestamp and logger", () => {
    const line = kafkajsLine(entry('Connection', logLevel.ERROR, 'Connection error: connect ECONNREFUSED', { broker: '127.0.0.1:9092', clientId: 'orders', correlationId: 8 }));
    expect(line).toEqual({
      level: 'error',
      msg: 'Connection error: connect ECONNREFUSED',
      fields: { broker: '127.0.0.1:9092', clientId: 'orders', kafkaRequestId: 8, namespace: 'Connection', source: 'kafkajs' },
    });
  });

  it('log the races of a first start at debug, saying why: a broker error answer, a send attempt kafkajs retries', () => {
    const answers = [
      ['Metadata(key: 3, version: 6)', 'This server does not host this topic-partition'],
      ['CreateTopics(key: 19, version: 3)', 'Topic creation errors'],
      ['GroupCoordinator(key: 10, version: 2)', 'The group coordinator is not available'],
      ['InitProducerId(key: 22, version: 1)', 'This is not the correct coordinator for this group'],
    ];
    for (const [request, error] of answers) {
      const line = kafkajsLine(entry('Connection', logLevel.ERROR, `Response ${request}`, { error, correlationId: 5, size: 209 }));
      expect([line.level, line.fields['expected'], line.fields['error'], line.fields['kafkaRequestId']]).toEqual(['debug', 'a broker error answer, thrown to its caller', error, 5]);
    }
    const retried = kafkajsLine(entry('Producer', logLevel.ERROR, 'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing', { retryCount: 0, retryTime: 93 }));
    expect([retried.level, retried.fields['expected']]).toEqual(['debug', 'a send attempt that kafkajs retries']);
  });

  it("log kafkajs' warning about our own bounded retry of the idempotent producer at debug", () => {
    const line = kafkajsLine(entry('Producer', logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    expect([line.level, line.fields['expected']]).toEqual(['debug', "the project's own retry setting"]);
  });

  it('keep what is not expected at kafkajs level: a crashed consumer, a broker that cannot be reached', () => {
    expect(kafkajsLine(entry('Consumer', logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: connect ECONNREFUSED', { groupId: 'orders', retryCount: 5 })).level).toBe('error');
    expect(kafkajsLine(entry('BrokerPool', logLevel.ERROR, 'Failed to connect to seed broker, trying other brokers from the metadata', { retryCount: 1 })).level).toBe('error');
    expect(kafkajsLine(entry('Consumer', logLevel.WARN, 'The group is rebalancing, re-joining', { groupId: 'orders' })).level).toBe('warn');
  });

  it('tell the error counter of each entry kafkajs calls an error, by namespace, also those the log keeps at debug', () => {
    const counted: string[] = [];
    const lines: string[] = [];
    const logger = { debug: (m: string) => lines.push(`debug ${m}`), info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
    const log = kafkajsLogCreator(logger, (namespace) => counted.push(namespace))(logLevel.WARN);
    log(entry('Connection', logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', { error: 'This server does not host this topic-partition' }));
    log(entry('Connection', logLevel.ERROR, 'Connection error: connect ECONNREFUSED'));
    log(entry('Consumer', logLevel.WARN, 'The group is rebalancing'));
    log(entry('Producer', logLevel.ERROR, 'Failed to send messages'));
    expect(counted).toEqual(['Connection', 'Connection', 'Producer']);
    expect(lines).toEqual(['debug Response Metadata(key: 3, version: 6)', 'error Connection error: connect ECONNREFUSED', 'warn The group is rebalancing', 'error Failed to send messages']);
  });
});
