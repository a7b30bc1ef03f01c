/**
 * A bounds-checked walk over an Avro binary body, done before avsc decodes it.
 *
 * Why: avsc trusts the block counts it reads. A corrupt array count of 2^31 in a 50-byte record
 * makes it allocate and fill a 2^31-slot array until the process dies of heap exhaustion
 * (measured with avsc 5.7) — a poison record would crash the consumer instead of going to the
 * dead-letter topic. This walk reads the same bytes by the writer schema and refuses anything that
 * cannot fit: a count larger than the bytes left (every item takes at least one byte), a length
 * past the end, an enum or union index out of range, a varint over 10 bytes, bytes left over.
 * What passes is structurally sound, so avsc then decodes it in bounded time and memory.
 *
 * It walks the binary encoding of the Avro spec ("Binary Encoding"): ints and longs are zig-zag
 * varints, strings and bytes a long length then the bytes, arrays and maps blocks of
 * (count, items) ending with count 0 (a negative count is followed by the block's byte size),
 * unions a long branch index then the value, enums a long index, records their fields in order.
 */
import { Type, types } from 'avsc';

export class OutOfBounds extends Error {
  override readonly name = 'OutOfBounds';
}

interface Cursor {
  readonly buf: Buffer;
  pos: number;
}

type Walk = (cursor: Cursor) => void;

/** Returns a function that throws `OutOfBounds` unless `buf` from `offset` to its end is exactly one value of `type`. */
export function compileBoundsCheck(type: Type): (buf: Buffer, offset: number) => void {
  const walk = compile(type, new Map());
  return (buf, offset) => {
    const cursor = { buf, pos: offset };
    walk(cursor);
    if (cursor.pos !== buf.length) throw new OutOfBounds(`${buf.length - cursor.pos} trailing bytes after the value`);
  };
}

function advance(cursor: Cursor, bytes: number): void {
  if (bytes > cursor.buf.length - cursor.pos) throw new OutOfBounds(`${bytes} bytes needed at ${cursor.pos}, past the end`);
  cursor.pos += bytes;
}

/** A zig-zag varint of at most 10 bytes; beyond 2^53 the value is approximate, which is enough to reject it. */
function readLong(cursor: Cursor): number {
  let value = 0;
  let factor = 1;
  for (let i = 0; i < 10; i++) {
    if (cursor.pos >= cursor.buf.length) throw new OutOfBounds('truncated varint');
    const byte = cursor.buf.readUInt8(cursor.pos++);
    value += (byte & 0x7f) * factor;
    if ((byte & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    factor *= 128;
  }
  throw new OutOfBounds('varint longer than 10 bytes');
}

function readLength(cursor: Cursor): number {
  const length = readLong(cursor);
  if (length < 0) throw new OutOfBounds(`negative length ${length}`);
  return length;
}

function readIndex(cursor: Cursor, count: number, what: string): number {
  const index = readLong(cursor);
  if (index < 0 || index >= count) throw new OutOfBounds(`${what} index ${index} out of range`);
  return index;
}

/** Arrays and maps: blocks of items until a zero count. */
function blocks(walkItem: Walk): Walk {
  return (cursor) => {
    for (let count = readLong(cursor); count !== 0; count = readLong(cursor)) {
      if (count < 0) {
        count = -count;
        readLength(cursor); // the block's size in bytes, only useful for skipping
      }
      if (count > cursor.buf.length - cursor.pos) throw new OutOfBounds(`block of ${count} items in ${cursor.buf.length - cursor.pos} bytes`);
      for (let i = 0; i < count; i++) walkItem(cursor);
    }
  };
}

function compile(type: Type, compiled: Map<Type, Walk>): Walk {
  const known = compiled.get(type);
  if (known) return known;
  if (type instanceof types.LogicalType) return compile(type.underlyingType, compiled);
  switch (type.typeName) {
    case 'null':
      return () => undefined;
    case 'boolean':
      return (cursor) => advance(cursor, 1);
    case 'int':
    case 'long':
      return (cursor) => void readLong(cursor);
    case 'float':
      return (cursor) => advance(cursor, 4);
    case 'double':
      return (cursor) => advance(cursor, 8);
    case 'string':
    case 'bytes':
      return (cursor) => advance(cursor, readLength(cursor));
    case 'fixed': {
      const size = (type as types.FixedType).size;
      return (cursor) => advance(cursor, size);
    }
    case 'enum': {
      const count = (type as types.EnumType).symbols.length;
      return (cursor) => void readIndex(cursor, count, 'enum');
    }
    case 'array':
      return blocks(compile((type as types.ArrayType).itemsType, compiled));
    case 'map': {
      const walkValue = compile((type as types.MapType).valuesType as Type, compiled);
      return blocks((cursor) => {
        advance(cursor, readLength(cursor));
        walkValue(cursor);
      });
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const branches = (type as types.UnwrappedUnionType).types.map((branch) => compile(branch, compiled));
      return (cursor) => (branches[readIndex(cursor, branches.length, 'union')] as Walk)(cursor);
    }
    case 'record':
    case 'error': {
      // Registered before its fields are compiled, so a recursive record refers to itself.
      let fields: Walk[] = [];
      const walk: Walk = (cursor) => {
        for (const field of fields) field(cursor);
      };
      compiled.set(type, walk);
      fields = (type as types.RecordType).fields.map((field) => compile(field.type, compiled));
      return walk;
    }
    default:
      throw new Error(`bounds check: unsupported Avro type ${type.typeName}`);
  }
}
