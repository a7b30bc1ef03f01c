/**
 * Strings Postgres cannot store: a NUL character, which `text` and `jsonb` refuse, and an unpaired
 * UTF-16 surrogate, which `jsonb` refuses and `text` would store as U+FFFD (storable-input.ts).
 */

const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why Postgres could not store `value`, or undefined when it can. */
export function unstorableReason(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (unpairedSurrogate.test(value)) return 'must not contain an unpaired UTF-16 surrogate (it is not valid Unicode)';
  return undefined;
}

/** The first path segment that cannot be stored, decoded, or undefined. */
export function unstorablePathSegment(path: string): { segment: string; reason: string } | undefined {
  for (const raw of path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { segment: raw, reason: 'is not valid percent-encoded UTF-8' };
    }
    const reason = unstorableReason(segment);
    if (reason) return { segment, reason };
  }
  return undefined;
}
