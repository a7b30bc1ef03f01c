/**
 * Golden samples: libs/events/golden/<Event>.v<N>.hex holds the encoding of a fixed sample
 * (testing/samples.ts) by that schema version. An accidental schema change (a renamed field, a
 * reordered enum, a changed type) changes the bytes or the fingerprint and fails here.
 *
 * A deliberate change — a new version, a new sample — regenerates them:
 *   UPDATE_GOLDEN=1 npx jest -c libs/events/jest.config.js golden
 * A file for an existing version must never change once its events are on a topic.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, encodeWith } from './codec';
import { latestVersionOf, schemaVersionOf, schemaVersions } from './schemas';
import { allVersionSamples } from './testing/samples';

const GOLDEN_DIR = join(__dirname, '..', 'golden');
const updating = process.env['UPDATE_GOLDEN'] === '1';
const cases = allVersionSamples((type) => latestVersionOf(type).version).map((sample) => ({
  ...sample,
  file: join(GOLDEN_DIR, `${sample.type}.v${sample.version}.hex`),
}));

describe('golden samples', () => {
  it.each(cases)('$type v$version encodes to the golden bytes and decodes from them', ({ type, version, written, readAsLatest, file }) => {
    const encoded = encodeWith(schemaVersionOf(type, version), written);
    if (updating) writeFileSync(file, `${encoded.toString('hex')}\n`);
    if (!existsSync(file)) throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx jest -c libs/events/jest.config.js golden`);
    const golden = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');

    expect(encoded.toString('hex')).toBe(golden.toString('hex'));
    expect(decodeEvent(golden)).toEqual(expect.objectContaining({ type, version, data: readAsLatest }));
  });

  it('has exactly one golden file per kept schema version', () => {
    const expected = [...schemaVersions.values()].flat().map((v) => `${v.eventType}.v${v.version}.hex`).sort();

    expect(readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.hex')).sort()).toEqual(expected);
  });
});
