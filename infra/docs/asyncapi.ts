/**
 * The AsyncAPI 3 document of every topic, made from the registry itself (libs/events: topics,
 * their key and single writer, each event's Avro schemas; libs/kafka: the envelope headers), so it
 * cannot drift: infra/tests/asyncapi.spec.ts fails when docs/asyncapi.yaml is not what this makes.
 *
 *   npm run asyncapi     writes docs/asyncapi.yaml
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { eventTypes, topicNames, topics, versionsOf, type EventType } from '@webshop/events';
import { Header } from '@webshop/kafka';

export const documentPath = path.resolve(__dirname, '../../docs/asyncapi.yaml');

const AVRO = 'application/vnd.apache.avro;version=1.9.0';

/** The schema as written in libs/events/schemas (names unqualified, namespace apart), docs included. */
const schemaFile = (type: EventType, version: number) =>
  JSON.parse(readFileSync(path.resolve(__dirname, `../../libs/events/schemas/${type}.v${version}.avsc`), 'utf8')) as { doc?: string };

const headerDocs: Record<(typeof Header)[keyof typeof Header], { description: string; required: boolean; format?: string; pattern?: string }> = {
  'event-type': { description: 'the event type, e.g. PurchaseRequested', required: true },
  'event-id': { description: 'unique per event; the key of every consumer\'s inbox', required: true, format: 'uuid' },
  'correlation-id': { description: 'what the event is about: the record key (orderId or sku)', required: false },
  'causation-id': { description: 'the event-id of the event that caused this one (absent for a request from outside)', required: false, format: 'uuid' },
  'occurred-at': { description: 'ISO-8601 UTC', required: true, format: 'date-time' },
  producer: { description: "the service that wrote it: the topic's single writer", required: true },
  'schema-fingerprint': { description: 'hex CRC-64-AVRO of the writer schema (also inside the value)', required: true, pattern: '^[0-9a-f]{16}$' },
  traceparent: { description: 'W3C trace context', required: false, pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
};

const envelopeHeaders = {
  type: 'object',
  description: 'The envelope of every record (libs/kafka/src/envelope.ts); a record whose envelope is incomplete or disagrees with its value is dead-lettered.',
  properties: Object.fromEntries(
    Object.entries(headerDocs).map(([name, { description, format, pattern }]) => [name, { type: 'string', description, ...(format ? { format } : {}), ...(pattern ? { pattern } : {}) }]),
  ),
  required: Object.entries(headerDocs)
    .filter(([, doc]) => doc.required)
    .map(([name]) => name),
};

const topicOfType = (type: EventType) => topicNames.find((name) => (topics[name].events as readonly string[]).includes(type))!;

/** One message per event type and schema version, named `<Event>.v<N>`. */
function messages() {
  return Object.fromEntries(
    eventTypes.flatMap((type) =>
      versionsOf(type).map((version) => {
        const topic = topics[topicOfType(type)];
        return [
          `${type}.v${version.version}`,
          {
            name: type,
            title: `${type} v${version.version}`,
            summary: schemaFile(type, version.version).doc ?? type,
            contentType: 'application/octet-stream',
            description: `Avro single-object encoding (C3 01 + the 8-byte fingerprint ${version.fingerprint} + the body). Key: ${topic.key}.`,
            headers: envelopeHeaders,
            payload: { schemaFormat: AVRO, schema: schemaFile(type, version.version) },
            bindings: { kafka: { key: { type: 'string', description: topic.key }, bindingVersion: '0.5.0' } },
          },
        ];
      }),
    ),
  );
}

export function asyncApiDocument() {
  const messageNames = Object.keys(messages());
  const ofTopic = (name: string) => messageNames.filter((m) => (topics[name as keyof typeof topics].events as readonly string[]).includes(m.split('.')[0]!));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Webshop events',
      version: '1.0.0',
      description:
        'Every topic of the webshop: one writer each, keyed so that the events of one order (or sku) keep their order. Generated from libs/events by `npm run asyncapi`; docs/architecture.md tells the flow.',
    },
    defaultContentType: 'application/octet-stream',
    channels: Object.fromEntries(
      topicNames.map((name) => [
        name,
        {
          address: topics[name].name,
          title: topics[name].name,
          description: `Written only by ${topics[name].writer}; read by ${topics[name].readers.join(', ')}; key: ${topics[name].key}. Dead letters of consumer <service>: ${topics[name].name}.dlq.<service>.`,
          messages: Object.fromEntries(ofTopic(name).map((m) => [m, { $ref: `#/components/messages/${m}` }])),
          bindings: { kafka: { partitions: 3, bindingVersion: '0.5.0' } },
        },
      ]),
    ),
    operations: Object.fromEntries(
      topicNames.map((name) => [
        `${topics[name].writer}.publishes.${name}`,
        {
          action: 'send',
          title: `${topics[name].writer} publishes to ${name}`,
          channel: { $ref: `#/channels/${name}` },
          messages: ofTopic(name).map((m) => ({ $ref: `#/channels/${name}/messages/${m}` })),
        },
      ]),
    ),
    components: { messages: messages() },
  };
}

export const asyncApiYaml = () => stringify(asyncApiDocument(), { lineWidth: 0 });

if (require.main === module) {
  writeFileSync(documentPath, asyncApiYaml());
  console.log(`wrote ${path.relative(process.cwd(), documentPath)}`);
}
