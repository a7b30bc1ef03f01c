import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSchemasDir, loadSchemas, schemaVersions } from './schemas';
import { eventTypes } from './types';

const SCHEMAS = join(__dirname, '..', 'schemas');

describe('finding the schemas directory', () => {
  const dirname = '/app/dist';
  const existing = (...dirs: string[]) => (path: string) => dirs.includes(path);

  it('prefers WEBSHOP_SCHEMAS_DIR', () => {
    const found = findSchemasDir({ env: { WEBSHOP_SCHEMAS_DIR: '/etc/schemas' }, dirname, isDirectory: existing('/etc/schemas', '/app/dist/schemas') });

    expect(found).toBe('/etc/schemas');
  });

  it('fails rather than falls back when WEBSHOP_SCHEMAS_DIR is wrong', () => {
    expect(() => findSchemasDir({ env: { WEBSHOP_SCHEMAS_DIR: '/nope' }, dirname, isDirectory: existing('/app/dist/schemas') })).toThrow(
      /WEBSHOP_SCHEMAS_DIR/,
    );
  });

  it('then looks next to the bundle, then next to the source folder', () => {
    expect(findSchemasDir({ env: {}, dirname, isDirectory: existing('/app/dist/schemas', '/app/schemas') })).toBe('/app/dist/schemas');
    expect(findSchemasDir({ env: {}, dirname, isDirectory: existing('/app/schemas') })).toBe('/app/schemas');
  });

  it('says where it looked when there is nothing', () => {
    expect(() => findSchemasDir({ env: {}, dirname, isDirectory: existing() })).toThrow(/\/app\/dist\/schemas, \/app\/schemas/);
  });
});

describe('loading the schemas', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    for (const type of eventTypes) copyFileSync(join(SCHEMAS, `${type}.v1.avsc`), join(dir, `${type}.v1.avsc`));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('knows every event type, versions oldest first', () => {
    expect([...schemaVersions.keys()].sort()).toEqual([...eventTypes].sort());
    expect(schemaVersions.get('ProductUpdated')?.map((v) => v.version)).toEqual([1, 2]);
  });

  it('refuses a file for an event type it does not know', () => {
    copyFileSync(join(SCHEMAS, 'EmailSent.v1.avsc'), join(dir, 'EmailBounced.v1.avsc'));

    expect(() => loadSchemas(dir)).toThrow(/EmailBounced\.v1\.avsc/);
  });

  it('refuses an event type without a schema', () => {
    rmSync(join(dir, 'EmailSent.v1.avsc'));

    expect(() => loadSchemas(dir)).toThrow(/no schema for EmailSent/);
  });

  it('refuses a record named after another event', () => {
    copyFileSync(join(SCHEMAS, 'OrderConfirmed.v1.avsc'), join(dir, 'EmailSent.v1.avsc'));

    expect(() => loadSchemas(dir)).toThrow(/must be named webshop\.events\.EmailSent/);
  });

  it('refuses a new version that does not change the schema', () => {
    const v1 = JSON.parse(readFileSync(join(SCHEMAS, 'EmailSent.v1.avsc'), 'utf8'));
    writeFileSync(join(dir, 'EmailSent.v2.avsc'), JSON.stringify({ ...v1, doc: 'only the doc changed' }));

    expect(() => loadSchemas(dir)).toThrow(/same canonical form/);
  });
});
