import { crc64Avro } from './crc64-avro';
import { canonicalFormOf, parseSchema, singleObjectHeader } from './schemas';

/** The spec publishes fingerprints as Java's signed 64-bit `long`; ours is unsigned. */
const asJavaLong = (fp: bigint) => BigInt.asIntN(64, fp);
const fingerprint = (text: string) => asJavaLong(crc64Avro(Buffer.from(text, 'utf8')));

describe('CRC-64-AVRO', () => {
  // From the Avro project's share/test/data/schema-tests.txt (canonical form → fingerprint).
  it.each([
    ['"null"', 7195948357588979594n],
    ['"int"', 8247732601305521295n],
    ['"long"', -3434872931120570953n],
    ['"string"', -8142146995180207161n],
    ['{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
    ['{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771n],
  ])('gives the spec’s fingerprint for %s', (canonicalForm, expected) => {
    expect(fingerprint(canonicalForm)).toBe(expected);
  });

  it('writes the fingerprint little-endian after C3 01, as the spec’s single-object header of "int"', () => {
    expect(singleObjectHeader('"int"').toString('hex')).toBe('c3018f5c393f1ad57572');
  });
});

describe('Parsing Canonical Form from avsc', () => {
  it.each([
    ['"null"', '"null"'],
    ['{"type": "int"}', '"int"'],
    ['{"fields":[], "type":"record", "name":"foo"}', '{"name":"foo","type":"record","fields":[]}'],
    ['{"namespace":"x.y", "name":"foo", "type":"record", "doc":"d", "fields":[]}', '{"name":"x.y.foo","type":"record","fields":[]}'],
    // PCF strips logicalType, so our timestamps fingerprint as the plain long they are on the wire.
    ['{"type":"long","logicalType":"timestamp-millis"}', '"long"'],
    [
      '{"type":"record","name":"R","fields":[{"name":"t","type":["null","string"],"default":null,"doc":"x"}]}',
      '{"name":"R","type":"record","fields":[{"name":"t","type":["null","string"]}]}',
    ],
  ])('turns %s into %s', (schema, canonical) => {
    expect(canonicalFormOf(parseSchema(JSON.parse(schema)))).toBe(canonical);
  });
});
