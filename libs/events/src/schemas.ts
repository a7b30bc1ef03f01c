/**
 * The schema catalogue: every `<Event>.v<N>.avsc` file, parsed once, at module load, synchronously.
 *
 * The .avsc files stay the source of truth on disk (one JSON file per event and version, nothing
 * generated). They are read with fs rather than imported because no bundler or TypeScript loader
 * imports a `.avsc` extension as JSON. So the directory is looked up at run time, first found wins:
 *   1. $WEBSHOP_SCHEMAS_DIR, when set (it must exist: a wrong setting fails rather than falls back);
 *   2. <dir of this file>/schemas     — an esbuild bundle, with libs/events/schemas copied next to
 *                                        main.js (dist/apps/<app>/schemas);
 *   3. <dir of this file>/../schemas  — running from source (ts-jest, tsx): libs/events/schemas.
 * Anything wrong (no directory, a file for an unknown event, an event without a schema, a record
 * named differently, two versions with the same canonical form) throws at start-up, not mid-stream.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Schema } from 'avsc';
import { compileBoundsCheck } from './bounds-check';
import { crc64Avro } from './crc64-avro';
import { logicalTypes } from './timestamp-millis';
import { eventTypes, isEventType, type EventType } from './types';

export const SCHEMA_NAMESPACE = 'webshop.events';

type Resolver = ReturnType<Type['createResolver']>;

/** One version of one event's schema, with everything the codec needs precomputed. */
export interface SchemaVersion {
  readonly eventType: EventType;
  readonly version: number;
  readonly type: Type;
  /** The Avro Parsing Canonical Form, the text the fingerprint is taken over. */
  readonly canonicalForm: string;
  /** The 10-byte single-object header: C3 01 + the fingerprint, little-endian. */
  readonly header: Buffer;
  /** Hex of the 8 fingerprint bytes in wire order (header bytes 2..9). */
  readonly fingerprint: string;
  /** Throws unless a buffer holds exactly one well-formed value of this schema (see bounds-check). */
  readonly checkBounds: (buf: Buffer, offset: number) => void;
}

export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
export const HEADER_LENGTH = SINGLE_OBJECT_MAGIC.length + 8;

/**
 * Parsing Canonical Form as avsc prints it: `schema()` without attributes keeps only name, type,
 * fields, symbols, items, values and size, with full names, in the spec's order, and drops doc,
 * defaults, aliases and logicalType — the spec's transformation (checked against its examples in
 * the tests).
 */
export function canonicalFormOf(type: Type): string {
  return JSON.stringify(type.schema());
}

export function singleObjectHeader(canonicalForm: string): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  SINGLE_OBJECT_MAGIC.copy(header, 0);
  header.writeBigUInt64LE(crc64Avro(Buffer.from(canonicalForm, 'utf8')), SINGLE_OBJECT_MAGIC.length);
  return header;
}

/** Records decode as plain objects (omitRecordMethods): zod's strict objects refuse avsc's methods. */
export function parseSchema(schema: Schema): Type {
  return Type.forSchema(schema, { logicalTypes, omitRecordMethods: true });
}

interface Environment {
  env: NodeJS.ProcessEnv;
  dirname: string;
  isDirectory: (path: string) => boolean;
}

const isDirectory = (path: string) => existsSync(path) && statSync(path).isDirectory();

export function findSchemasDir({ env, dirname, isDirectory: isDir }: Environment): string {
  const configured = env['WEBSHOP_SCHEMAS_DIR'];
  if (configured) {
    if (!isDir(configured)) throw new Error(`WEBSHOP_SCHEMAS_DIR=${configured} is not a directory of .avsc files`);
    return configured;
  }
  const candidates = [join(dirname, 'schemas'), join(dirname, '..', 'schemas')];
  const found = candidates.find(isDir);
  if (!found) {
    throw new Error(`@webshop/events: no schemas directory; looked in ${candidates.join(', ')} (set WEBSHOP_SCHEMAS_DIR)`);
  }
  return found;
}

const FILE_NAME = /^([A-Za-z]+)\.v([1-9][0-9]*)\.avsc$/;

export function loadSchemas(dir: string): ReadonlyMap<EventType, readonly SchemaVersion[]> {
  const byType = new Map<EventType, SchemaVersion[]>();
  const fingerprints = new Map<string, string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.avsc')).sort()) {
    const match = FILE_NAME.exec(file);
    const eventType = match?.[1];
    if (!match || !isEventType(eventType)) {
      throw new Error(`${join(dir, file)}: expected <EventType>.v<N>.avsc with a known event type`);
    }
    const type = parseSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Schema);
    if (type.name !== `${SCHEMA_NAMESPACE}.${eventType}`) {
      throw new Error(`${file}: the record must be named ${SCHEMA_NAMESPACE}.${eventType}, not ${type.name}`);
    }
    const canonicalForm = canonicalFormOf(type);
    const header = singleObjectHeader(canonicalForm);
    const fingerprint = header.toString('hex', SINGLE_OBJECT_MAGIC.length);
    const clash = fingerprints.get(fingerprint);
    if (clash) throw new Error(`${file} has the same canonical form as ${clash}: a new version must change the schema`);
    fingerprints.set(fingerprint, file);
    const versions = byType.get(eventType) ?? [];
    versions.push({ eventType, version: Number(match[2]), type, canonicalForm, header, fingerprint, checkBounds: compileBoundsCheck(type) });
    byType.set(eventType, versions);
  }
  const missing = eventTypes.filter((eventType) => !byType.has(eventType));
  if (missing.length > 0) throw new Error(`${dir}: no schema for ${missing.join(', ')}`);
  for (const versions of byType.values()) versions.sort((a, b) => a.version - b.version);
  return byType;
}

/** Every known version of every event, oldest first. */
export const schemaVersions = loadSchemas(
  findSchemasDir({ env: process.env, dirname: __dirname, isDirectory }),
);

/** Fingerprint (hex) → the version it identifies, for readers. */
const byFingerprint = new Map<string, SchemaVersion>(
  [...schemaVersions.values()].flat().map((version) => [version.fingerprint, version]),
);

export function versionsOf(eventType: EventType): readonly SchemaVersion[] {
  return schemaVersions.get(eventType) ?? [];
}

/** The version writers use. */
export function latestVersionOf(eventType: EventType): SchemaVersion {
  const versions = versionsOf(eventType);
  return versions[versions.length - 1] as SchemaVersion; // loadSchemas guarantees one at least
}

export function schemaVersionOf(eventType: EventType, version: number): SchemaVersion {
  const found = versionsOf(eventType).find((v) => v.version === version);
  if (!found) throw new Error(`no schema ${eventType}.v${version}`);
  return found;
}

export function schemaByFingerprint(fingerprint: string): SchemaVersion | undefined {
  return byFingerprint.get(fingerprint);
}

/**
 * Resolvers from every older version to the latest one of its type, built once here (which also
 * proves, at start-up, that every kept version can be read as the latest). The latest version
 * reads itself without a resolver, so it maps to undefined.
 */
const resolvers = new Map<SchemaVersion, Resolver | undefined>(
  [...byFingerprint.values()].map((writer) => {
    const reader = latestVersionOf(writer.eventType);
    return [writer, writer === reader ? undefined : reader.type.createResolver(writer.type)];
  }),
);

export function resolverToLatest(writer: SchemaVersion): Resolver | undefined {
  return resolvers.get(writer);
}
