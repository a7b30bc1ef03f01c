/**
 * CRC-64-AVRO, the Rabin fingerprint the Avro specification defines for schema fingerprints
 * ("Schema Fingerprints", https://avro.apache.org/docs/current/specification/#schema-fingerprints),
 * computed over the UTF-8 bytes of a schema's Parsing Canonical Form. avsc only offers MD5/SHA
 * fingerprints, so this is the spec's table-driven reference algorithm, transcribed:
 *
 *   fp = EMPTY; for each byte b: fp = (fp >>> 8) ^ TABLE[(fp ^ b) & 0xff]
 *
 * BigInt keeps the 64-bit arithmetic exact. It is slow-ish but runs only when schemas load.
 */

const MASK_64 = (1n << 64n) - 1n;

/** The fingerprint of the empty input, and the polynomial the table is built from. */
export const CRC64_AVRO_EMPTY = 0xc15d213aa4d7a795n;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) {
    // `EMPTY & -(fp & 1)` in the spec's Java: XOR the polynomial in when the low bit is set.
    fp = (fp >> 1n) ^ (fp & 1n ? CRC64_AVRO_EMPTY : 0n);
  }
  return fp;
});

/** The fingerprint as an unsigned 64-bit number (the spec's Java prints it as a signed long). */
export function crc64Avro(bytes: Uint8Array): bigint {
  let fp = CRC64_AVRO_EMPTY;
  for (const byte of bytes) {
    fp = ((fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint)) & MASK_64;
  }
  return fp;
}
