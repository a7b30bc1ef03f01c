/**
 * Schemas evolve by adding fields with defaults, and every kept version must stay readable by every
 * other: old records by new readers (backward) and new records by old readers (forward).
 */
import { decodeEvent, encodeWith } from './codec';
import { latestVersionOf, schemaVersionOf, versionsOf } from './schemas';
import { allVersionSamples, samples } from './testing/samples';
import { eventTypes } from './types';

const versionPairs = eventTypes.flatMap((type) =>
  versionsOf(type).flatMap((writer) => versionsOf(type).map((reader) => [type, writer.version, reader.version] as const)),
);
const sampleOf = (type: string, version: number) =>
  allVersionSamples((t) => latestVersionOf(t).version).find((s) => s.type === type && s.version === version);

describe('schema evolution', () => {
  it.each(versionPairs)('%s: data written by v%i is readable by v%i', (type, writerVersion, readerVersion) => {
    const writer = schemaVersionOf(type, writerVersion);
    const reader = schemaVersionOf(type, readerVersion);
    const body = writer.type.toBuffer(sampleOf(type, writerVersion)?.written);

    const resolver = reader.type.createResolver(writer.type);
    const { value, offset } = reader.type.decode(body, 0, resolver);

    expect(offset).toBe(body.length);
    expect(reader.type.isValid(value)).toBe(true);
  });

  it('keeps a sample for every version, so every version is checked', () => {
    for (const type of eventTypes) {
      for (const { version } of versionsOf(type)) expect(sampleOf(type, version)).toBeDefined();
    }
  });

  it('reads a ProductUpdated v1 record as v2, with reserved defaulting to 0', () => {
    const v1 = schemaVersionOf('ProductUpdated', 1);
    const { reserved: _, ...v1Data } = samples.ProductUpdated;

    const decoded = decodeEvent(encodeWith(v1, v1Data));

    expect(decoded).toEqual({
      type: 'ProductUpdated',
      version: 1,
      fingerprint: v1.fingerprint,
      data: { ...v1Data, reserved: 0 },
    });
  });

  it('lets a v1 reader read a ProductUpdated v2 record, dropping reserved', () => {
    const v1 = schemaVersionOf('ProductUpdated', 1);
    const v2 = schemaVersionOf('ProductUpdated', 2);
    const body = v2.type.toBuffer(samples.ProductUpdated);

    const { value } = v1.type.decode(body, 0, v1.type.createResolver(v2.type));

    const { reserved: _, ...withoutReserved } = samples.ProductUpdated;
    expect(value).toEqual(withoutReserved);
  });
});
