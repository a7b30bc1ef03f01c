/**
 * Avro `{"type": "long", "logicalType": "timestamp-millis"}` as an ISO-8601 UTC string in
 * TypeScript. On the wire a time is a long (milliseconds since the epoch, zig-zag varint as any
 * long); in code it is what `Date#toISOString()` prints: `2026-11-23T18:00:00.000Z`.
 *
 * Only that canonical form is accepted for writing, so what is written reads back as the very same
 * string (an offset or microseconds would silently change on the way through).
 */
import { Type, types } from 'avsc';

/** True for exactly the strings `Date#toISOString()` prints (UTC, milliseconds, 4-digit year). */
export function isCanonicalIsoMillis(value: string): boolean {
  const millis = Date.parse(value);
  return Number.isFinite(millis) && new Date(millis).toISOString() === value;
}

export class IsoTimestampMillis extends types.LogicalType {
  protected override _fromValue(millis: number): string {
    // Throws a RangeError beyond ±8.64e15 ms; the codec reports that as a corrupt body.
    return new Date(millis).toISOString();
  }

  /** `undefined` tells avsc the value is invalid for this type. */
  protected override _toValue(value: unknown): number | undefined {
    return typeof value === 'string' && isCanonicalIsoMillis(value) ? Date.parse(value) : undefined;
  }

  /** Reading another schema's field as a timestamp: a plain long, or this same logical type. */
  protected override _resolve(writer: Type): ((value: unknown) => unknown) | undefined {
    if (writer instanceof IsoTimestampMillis) return (value) => value; // already an ISO string
    if (Type.isType(writer, 'long')) return (value) => this._fromValue(value as number);
    return undefined;
  }
}

/** The `logicalTypes` option every events schema is parsed with. */
export const logicalTypes = { 'timestamp-millis': IsoTimestampMillis };
