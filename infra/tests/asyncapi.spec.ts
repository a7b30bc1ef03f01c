/**
 * docs/asyncapi.yaml is what the registry makes (infra/docs/asyncapi.ts), and a valid AsyncAPI 3
 * document by the AsyncAPI parser itself, Avro payloads included.
 */
import { readFileSync } from 'node:fs';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { Parser } from '@asyncapi/parser';
import { eventTypes, topicNames, topics, versionsOf } from '@webshop/events';
import { asyncApiYaml, documentPath } from '../docs/asyncapi';

describe('the AsyncAPI document', () => {
  const text = readFileSync(documentPath, 'utf8');

  it('is what the registry makes now (npm run asyncapi writes it)', () => {
    expect(text).toBe(asyncApiYaml());
  });

  it('parses as AsyncAPI 3 without an error, with every topic, its writer and every schema version', async () => {
    const parser = new Parser();
    parser.registerSchemaParser(AvroSchemaParser());
    const { document, diagnostics } = await parser.parse(text);
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.channels().all().map((c) => c.address()).sort()).toEqual([...topicNames].map((n) => topics[n].name).sort());
    for (const name of topicNames) {
      const channel = document!.channels().get(name)!;
      const ids = channel.messages().all().map((m) => m.id());
      expect(ids.sort()).toEqual(topics[name].events.flatMap((type) => versionsOf(type).map((v) => `${type}.v${v.version}`)).sort());
      const [operation] = channel.operations().all();
      expect(operation!.id()).toBe(`${topics[name].writer}.publishes.${name}`);
    }
    const versions = eventTypes.reduce((n, type) => n + versionsOf(type).length, 0);
    expect(document!.components().messages().all()).toHaveLength(versions);
  });
});
